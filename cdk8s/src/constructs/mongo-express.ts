// mongo-express, the web UI of the documents database, as the application user of the replica set.
import { MONGODB_SECRETS, PORTS } from '@docpipe/contract';
import { Construct } from 'constructs';
import { DatabaseUi } from './database-ui.js';
import type { Labels } from './network.js';

/**
 * The official image of the release the local stack runs (MONGO_EXPRESS_VERSION in
 * scripts/versions.env), built from the same npm package. Images of 1.0.2 exist, but npm cannot
 * install 1.0.2, so the cluster would run another release than the one `make test` checks.
 */
export const MONGO_EXPRESS_IMAGE = 'mongo-express:1.0.0-20-alpine3.18';
const MONGO_EXPRESS_PORT = 8081;
const HOST_PORT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$/;
/** MongoDB's own limits on a database name, which a URI's path would otherwise carry unchecked. */
const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;

export interface MongoExpressProps {
  /** The replica set's members, host:port. */
  readonly hosts: readonly string[];
  readonly replicaSet: string;
  /** The one database it shows: the application user may read no other. */
  readonly database: string;
  /** The members' pods, the only ones it reaches. */
  readonly mongoPods: Labels;
  /** @default 'mongo-express' */
  readonly name?: string;
}

/**
 * Its login is the application user's (the Secret mongodb-app), which is also the user it connects
 * as, and whose password keys its cookies: the namespace holds no other secret for it.
 */
export class MongoExpress extends Construct {
  constructor(scope: Construct, id: string, props: MongoExpressProps) {
    super(scope, id);
    if (props.hosts.length === 0) throw new Error('mongo-express needs the members of the replica set to connect to');
    const bad = props.hosts.filter((host) => !HOST_PORT.test(host));
    if (bad.length > 0) throw new Error(`mongo-express: members must be host:port, got ${bad.map((h) => `"${h}"`).join(', ')}`);
    if (!props.replicaSet) throw new Error('mongo-express needs the name of the replica set');
    if (!DATABASE_NAME.test(props.database)) throw new Error(`mongo-express: "${props.database}" is not a MongoDB database name`);
    const app = MONGODB_SECRETS.app;
    new DatabaseUi(this, 'Ui', {
      name: props.name ?? 'mongo-express',
      image: MONGO_EXPRESS_IMAGE,
      port: MONGO_EXPRESS_PORT,
      variables: [
        ['MONGODB_USERNAME', { name: app, key: 'username' }],
        ['MONGODB_PASSWORD', { name: app, key: 'password' }],
        ['ME_CONFIG_MONGODB_URL', `mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${props.hosts.join(',')}/${props.database}?replicaSet=${props.replicaSet}&authSource=admin`],
        // Its admin pages list every database and the server's status, which the user may not read.
        ['ME_CONFIG_MONGODB_ENABLE_ADMIN', 'false'],
        ['ME_CONFIG_BASICAUTH_USERNAME', { name: app, key: 'username' }],
        ['ME_CONFIG_BASICAUTH_PASSWORD', { name: app, key: 'password' }],
        ['ME_CONFIG_SITE_COOKIESECRET', { name: app, key: 'password' }],
        ['ME_CONFIG_SITE_SESSIONSECRET', { name: app, key: 'password' }],
        // Templates compiled once, not on every request.
        ['NODE_ENV', 'production'],
      ],
      database: { pods: props.mongoPods, port: PORTS.mongodb },
      // Its first page, logged in (the image's busybox wget sends a URL's user as Basic auth): it
      // lists the database's collections, so it answers 200 only while MongoDB does.
      ready: {
        command: ['sh', '-c', `exec wget -q -O /dev/null "http://$ME_CONFIG_BASICAUTH_USERNAME:$ME_CONFIG_BASICAUTH_PASSWORD@127.0.0.1:${MONGO_EXPRESS_PORT}/"`],
      },
    });
  }
}
