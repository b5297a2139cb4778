import { aclBindings, type AclBinding, type KafkaAccess } from '@docpipe/contract';
import kafkajs, { type Kafka } from 'kafkajs';

// kafkajs assigns these enums in a way Node's CommonJS export detection misses: read them from the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const RESOURCE_TYPES: Record<AclBinding['resource'], kafkajs.AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
};
const OPERATIONS: Record<AclBinding['operations'][number], kafkajs.AclOperationTypes> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
};

/**
 * Grants `username` the ACLs of `access`, as a KafkaUser of the cluster would. For the local
 * stack, where nothing renders KafkaUsers: `kafka` must authenticate as a super user. Granting
 * what exists already changes nothing.
 */
export async function grantAccess(kafka: Kafka, username: string, access: KafkaAccess): Promise<void> {
  const acl = aclBindings(access).flatMap(({ resource, name, operations }) =>
    operations.map((operation) => ({
      resourceType: RESOURCE_TYPES[resource],
      resourceName: name,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${username}`,
      host: '*',
      operation: OPERATIONS[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
  if (acl.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
}
