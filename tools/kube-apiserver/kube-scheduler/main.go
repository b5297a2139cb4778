// Command kube-scheduler is built from the same pinned release as kube-apiserver, so that the
// simulated cluster's pods are bound to its fake nodes by the real scheduling rules (resources,
// affinity, topology spread).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	os.Exit(cli.Run(app.NewSchedulerCommand()))
}
