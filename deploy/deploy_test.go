// Package deploy_test checks the deploy folder without a Docker engine or a cluster: the
// compose file loads and validates with compose-go, and every Kubernetes manifest decodes
// strictly into the k8s.io/api types, with the images, ports, probes and configuration
// names api and worker must share.
package deploy_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// TestTheComposeFileRunsEveryPartWithItsHealthChecks: compose-go loads the file against
// the compose schema; the services are all there, api and worker run the same image built
// from deploy/Dockerfile with the same configuration, each with a health check, after the
// migrations; Prometheus scrapes both.
func TestTheComposeFileRunsEveryPartWithItsHealthChecks(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"}, cli.WithOsEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, name := range []string{"postgresql", "temporal", "temporal-ui", "caseflow-migrate", "caseflow-api", "caseflow-worker", "prometheus"} {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("no service %s", name)
		}
	}
	api, _ := p.GetService("caseflow-api")
	worker, _ := p.GetService("caseflow-worker")
	migrate, _ := p.GetService("caseflow-migrate")
	if migrate.Build == nil || migrate.Build.Dockerfile != "deploy/Dockerfile" || api.Image != migrate.Image || worker.Image != migrate.Image {
		t.Errorf("images: migrate %q (build %+v), api %q, worker %q", migrate.Image, migrate.Build, api.Image, worker.Image)
	}
	for _, svc := range []struct {
		name, cmd, probe string
	}{{"caseflow-api", "api", "http://127.0.0.1:8080/healthz"}, {"caseflow-worker", "worker", "http://127.0.0.1:9090/healthz"}} {
		s, _ := p.GetService(svc.name)
		if !slices.Equal(s.Command, []string{svc.cmd}) {
			t.Errorf("%s runs %v", svc.name, s.Command)
		}
		if s.HealthCheck == nil || !slices.Contains(s.HealthCheck.Test, svc.probe) {
			t.Errorf("%s's health check: %+v", svc.name, s.HealthCheck)
		}
		if d, ok := s.DependsOn["caseflow-migrate"]; !ok || d.Condition != "service_completed_successfully" {
			t.Errorf("%s does not wait for the migrations: %+v", svc.name, s.DependsOn)
		}
		for _, key := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "CASEFLOW_WEBHOOK_SECRET"} {
			if s.Environment[key] == nil || *s.Environment[key] != *api.Environment[key] {
				t.Errorf("%s's %s differs from the API's", svc.name, key)
			}
		}
	}
	prom, err := os.ReadFile("prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var scrape struct {
		ScrapeConfigs []struct {
			StaticConfigs []struct{ Targets []string } `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal(prom, &scrape); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, sc := range scrape.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	if !slices.Contains(targets, "caseflow-api:8080") || !slices.Contains(targets, "caseflow-worker:9090") {
		t.Errorf("Prometheus scrapes %v", targets)
	}
	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "USER nonroot", "HEALTHCHECK", "ENTRYPOINT [\"/caseflow\"]"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
}

// decodeAll decodes each document of a manifest strictly (an unknown field fails).
func decodeAll(t *testing.T, file string, into func(kind string) any) []any {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, doc := range bytes.Split(raw, []byte("\n---\n")) {
		var head struct{ Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		obj := into(head.Kind)
		if obj == nil {
			t.Fatalf("%s: unexpected kind %q", file, head.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, obj)
	}
	return out
}

// TestTheKubernetesManifestsDecodeAndAgree: every manifest decodes into its type; api and
// worker Deployments run the same image with probes, resources and the same ConfigMap and
// Secret; the PodDisruptionBudgets, the migrations' Job and the Service select them; the
// ConfigMap holds the names caseflow reads.
func TestTheKubernetesManifestsDecodeAndAgree(t *testing.T) {
	kinds := func(kind string) any {
		switch kind {
		case "Deployment":
			return &appsv1.Deployment{}
		case "Service":
			return &corev1.Service{}
		case "ConfigMap":
			return &corev1.ConfigMap{}
		case "PodDisruptionBudget":
			return &policyv1.PodDisruptionBudget{}
		case "Job":
			return &batchv1.Job{}
		}
		return nil
	}
	files, _ := filepath.Glob("k8s/*.yaml")
	byKind := map[string][]any{}
	for _, f := range files {
		if filepath.Base(f) == "temporal-values.yaml" {
			continue
		}
		for _, obj := range decodeAll(t, f, kinds) {
			switch o := obj.(type) {
			case *appsv1.Deployment:
				byKind["Deployment"] = append(byKind["Deployment"], o)
			case *corev1.Service:
				byKind["Service"] = append(byKind["Service"], o)
			case *corev1.ConfigMap:
				byKind["ConfigMap"] = append(byKind["ConfigMap"], o)
			case *policyv1.PodDisruptionBudget:
				byKind["PodDisruptionBudget"] = append(byKind["PodDisruptionBudget"], o)
			case *batchv1.Job:
				byKind["Job"] = append(byKind["Job"], o)
			}
		}
	}
	if len(byKind["Deployment"]) != 2 || len(byKind["PodDisruptionBudget"]) != 2 || len(byKind["Job"]) != 1 ||
		len(byKind["Service"]) != 1 || len(byKind["ConfigMap"]) != 1 {
		t.Fatalf("manifests: %v", byKind)
	}
	cm := byKind["ConfigMap"][0].(*corev1.ConfigMap)
	for _, key := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "CASEFLOW_ADDR", "CASEFLOW_WORKER_ADDR"} {
		if cm.Data[key] == "" {
			t.Errorf("the ConfigMap lacks %s", key)
		}
	}
	var image string
	sources := func(c corev1.Container) []string {
		var out []string
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				out = append(out, "cm:"+e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil {
				out = append(out, "secret:"+e.SecretRef.Name)
			}
		}
		return out
	}
	want := []string{"cm:" + cm.Name, "secret:caseflow-secrets"}
	for _, obj := range byKind["Deployment"] {
		d := obj.(*appsv1.Deployment)
		c := d.Spec.Template.Spec.Containers[0]
		if image == "" {
			image = c.Image
		}
		if c.Image != image || c.ReadinessProbe == nil || c.LivenessProbe == nil || c.ReadinessProbe.HTTPGet == nil ||
			c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() || len(c.Ports) != 1 {
			t.Errorf("deployment %s: image %s, probes %v/%v, resources %v, ports %v", d.Name, c.Image, c.ReadinessProbe, c.LivenessProbe, c.Resources, c.Ports)
		}
		if !slices.Equal(sources(c), want) {
			t.Errorf("deployment %s reads %v, want %v", d.Name, sources(c), want)
		}
		if sc := d.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("deployment %s may run as root", d.Name)
		}
		selected := false
		for _, pdbObj := range byKind["PodDisruptionBudget"] {
			pdb := pdbObj.(*policyv1.PodDisruptionBudget)
			if pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"] == d.Spec.Template.Labels["app.kubernetes.io/component"] {
				selected = true
			}
		}
		if !selected {
			t.Errorf("no PodDisruptionBudget for %s", d.Name)
		}
	}
	job := byKind["Job"][0].(*batchv1.Job)
	if jc := job.Spec.Template.Spec.Containers[0]; jc.Image != image || !slices.Equal(jc.Args, []string{"migrate"}) || !slices.Equal(sources(jc), want) {
		t.Errorf("the migrations' Job: %+v", jc)
	}
	svc := byKind["Service"][0].(*corev1.Service)
	if svc.Spec.Selector["app.kubernetes.io/component"] != "api" {
		t.Errorf("the Service selects %v", svc.Spec.Selector)
	}
	values, err := os.ReadFile("k8s/temporal-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Server struct {
			Config struct {
				NumHistoryShards int `json:"numHistoryShards"`
				Persistence      struct {
					Default struct {
						SQL struct{ Driver string } `json:"sql"`
					} `json:"default"`
				} `json:"persistence"`
			} `json:"config"`
		} `json:"server"`
	}
	if err := yaml.Unmarshal(values, &v); err != nil || v.Server.Config.NumHistoryShards == 0 || v.Server.Config.Persistence.Default.SQL.Driver != "postgres12" {
		t.Errorf("temporal-values.yaml: %+v %v", v, err)
	}
}
