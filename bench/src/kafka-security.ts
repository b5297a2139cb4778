// The Java peers (Kafka's ProducerPerformance, the Kafka Bridge, Kafka Connect) reach the stack's
// brokers as its super user, with SCRAM like Docpipe's services, so that both sides of a
// comparison pay for the same authentication.
import { writeFileSync } from 'node:fs';

/** Java client settings for the brokers env.sh describes in `env`; none for a broker without users. */
export function javaKafkaSecurity(env: NodeJS.ProcessEnv): Record<string, string> {
  const username = env['KAFKA_ADMIN_SASL_USERNAME'];
  const password = env['KAFKA_ADMIN_SASL_PASSWORD'];
  if (!username || !password) return {};
  return {
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
  };
}

/** The settings as .properties lines, each name after `prefix` (e.g. `kafka.` for the bridge). */
export function propertiesLines(settings: Readonly<Record<string, string>>, prefix = ''): string {
  return Object.entries(settings)
    .map(([name, value]) => `${prefix}${name}=${value}`)
    .join('\n');
}

/** Writes the settings to a file only its owner reads: a command line would show the password to every user. */
export function writePrivateProperties(file: string, settings: Readonly<Record<string, string>>): string {
  writeFileSync(file, `${propertiesLines(settings)}\n`, { mode: 0o600 });
  return file;
}
