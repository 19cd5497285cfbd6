// kube-controller-manager at the pinned Kubernetes version, built from the
// k8s.io/kubernetes module like kube-apiserver (see ../kube-apiserver).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
