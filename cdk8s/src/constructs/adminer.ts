// Adminer, the web UI of the users database (Postgres).
import { PORTS } from '@docpipe/contract';
import { Construct } from 'constructs';
import { DatabaseUi } from './database-ui.js';
import type { Labels } from './network.js';

/** The official image, on its maintained 5.x line; `standalone` serves itself (PHP's own server). */
export const ADMINER_IMAGE = 'adminer:5.5.1-standalone';
const ADMINER_PORT = 8080;
const DNS_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export interface AdminerProps {
  /** The Postgres Service, which the login form offers as the server. */
  readonly server: string;
  /** The Postgres pods, the only ones it reaches. */
  readonly postgresPods: Labels;
  /** @default 'adminer' */
  readonly name?: string;
}

/**
 * It holds no credentials: a person logs in with a role of the Secrets postgres-app or postgres,
 * which their Adminer session keeps. The image's entrypoint marks its first start with a file
 * beside the PHP files, and goes on when the read-only root refuses it.
 */
export class Adminer extends Construct {
  constructor(scope: Construct, id: string, props: AdminerProps) {
    super(scope, id);
    if (!DNS_NAME.test(props.server)) throw new Error(`Adminer: the Postgres server "${props.server}" is not a DNS name`);
    new DatabaseUi(this, 'Ui', {
      name: props.name ?? 'adminer',
      image: ADMINER_IMAGE,
      port: ADMINER_PORT,
      variables: [['ADMINER_DEFAULT_SERVER', props.server]],
      database: { pods: props.postgresPods, port: PORTS.postgres },
      // The login form, which needs no login.
      ready: { path: '/' },
    });
  }
}
