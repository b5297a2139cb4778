// Command kube-controller-manager is built from the same pinned release as kube-apiserver, so that
// the simulated cluster (scripts/apiserver/cluster-up.sh) turns Deployments, StatefulSets, Jobs
// and Services into pods and endpoints as a real cluster of that version does.
package main

import (
	"os"
	_ "time/tzdata" // CronJobs' spec.timeZone

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
