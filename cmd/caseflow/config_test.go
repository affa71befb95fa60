package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and its key as PEM files in dir.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "caseflow-worker"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTemporalCloudCredentialsComeFromTheTemporalCLIsEnvironmentNames(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeCert(t, dir)
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("without any, caseflow dials in plain text", func(t *testing.T) {
		t.Setenv("TEMPORAL_ADDRESS", "temporal:7233")
		opts, err := configFromEnv().temporalOptions()
		if err != nil || opts.ConnectionOptions.TLS != nil || opts.Credentials != nil || opts.HostPort != "temporal:7233" {
			t.Fatalf("%+v %v", opts, err)
		}
	})
	t.Run("an API key turns TLS on and is sent as the credentials", func(t *testing.T) {
		t.Setenv("TEMPORAL_API_KEY", "key-123")
		opts, err := configFromEnv().temporalOptions()
		if err != nil || opts.ConnectionOptions.TLS == nil || opts.Credentials == nil {
			t.Fatalf("%+v %v", opts, err)
		}
	})
	t.Run("a client certificate and its key give mTLS, checked against the given CA", func(t *testing.T) {
		t.Setenv("TEMPORAL_TLS_CERT", certFile)
		t.Setenv("TEMPORAL_TLS_KEY", keyFile)
		t.Setenv("TEMPORAL_TLS_CA", certFile)
		t.Setenv("TEMPORAL_TLS_SERVER_NAME", "ns.acct.tmprl.cloud")
		opts, err := configFromEnv().temporalOptions()
		if err != nil {
			t.Fatal(err)
		}
		tls := opts.ConnectionOptions.TLS
		if tls == nil || len(tls.Certificates) != 1 || tls.RootCAs == nil || tls.ServerName != "ns.acct.tmprl.cloud" || opts.Credentials != nil {
			t.Fatalf("%+v", tls)
		}
	})
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a certificate without its key is refused", map[string]string{"TEMPORAL_TLS_CERT": certFile}, "go together"},
		{"a key and a certificate together are refused", map[string]string{"TEMPORAL_TLS_CERT": certFile, "TEMPORAL_TLS_KEY": keyFile,
			"TEMPORAL_API_KEY": "k"}, "not both"},
		{"a missing certificate file is named", map[string]string{"TEMPORAL_TLS_CERT": filepath.Join(dir, "nope.pem"),
			"TEMPORAL_TLS_KEY": keyFile}, "nope.pem"},
		{"a CA file without a certificate is refused", map[string]string{"TEMPORAL_TLS": "1", "TEMPORAL_TLS_CA": notPEM}, "no PEM certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := configFromEnv().temporalOptions()
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "\n") > 0 {
				t.Fatalf("got %v, want one line containing %q", err, c.want)
			}
		})
	}
}

// TestAWorkflowCacheThatIsNotACountIsRefusedBeforeAnythingStarts: CASEFLOW_WORKFLOW_CACHE
// must be a number of workflows, at least 1; anything else stops caseflow worker and dev in
// one line, before they connect to anything.
func TestAWorkflowCacheThatIsNotACountIsRefusedBeforeAnythingStarts(t *testing.T) {
	for _, v := range []string{"abc", "0", "-5", "1e3", " 100"} {
		for _, args := range [][]string{{"worker"}, {"dev", "--data-dir", t.TempDir()}} {
			t.Setenv("CASEFLOW_WORKFLOW_CACHE", v)
			t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
			root := rootCommand()
			root.SetArgs(args)
			err := root.ExecuteContext(context.Background())
			want := fmt.Sprintf("CASEFLOW_WORKFLOW_CACHE %q: give how many workflows a worker keeps in memory, at least 1 (unset: 1000)", v)
			if err == nil || err.Error() != want {
				t.Errorf("caseflow %s with CASEFLOW_WORKFLOW_CACHE=%q: %v, want %q", args[0], v, err, want)
			}
		}
	}
	for v, want := range map[string]int{"": 0, "1": 1, "250": 250} {
		if n, err := (Config{WorkflowCache: v}).workflowCache(); err != nil || n != want {
			t.Errorf("CASEFLOW_WORKFLOW_CACHE=%q: %d, %v; want %d", v, n, err, want)
		}
	}
}
