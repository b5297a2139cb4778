import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-34';
import { AllowPolicy, namespaces } from './network.js';

export interface DocpipeNamespaceProps {
  /** @default 'docpipe' */
  readonly name?: string;
}

/** The namespace, enforcing (and auditing, and warning about) the Pod Security "restricted" profile. */
export class DocpipeNamespace extends Construct {
  public readonly name: string;
  constructor(scope: Construct, id: string, props: DocpipeNamespaceProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'docpipe';
    const pss = Object.fromEntries(
      ['enforce', 'audit', 'warn'].flatMap((mode) => [
        [`pod-security.kubernetes.io/${mode}`, 'restricted'],
        [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
      ]),
    );
    new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: this.name, labels: pss } });
  }
}

/**
 * Default-deny for every pod in the namespace, in both directions, plus the one flow every pod
 * needs: DNS. Each other flow is allowed by the construct that owns the pods.
 */
export class BaselineNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new AllowPolicy(this, 'Dns', {
      name: 'allow-dns',
      podSelector: {},
      egress: [
        {
          peers: [{ namespace: namespaces.kubeSystem, pods: { 'k8s-app': 'kube-dns' } }],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
    });
  }
}
