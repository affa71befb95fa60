package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// Dial connects to Temporal with opts (its address, namespace, and for a managed service
// such as Temporal Cloud its TLS and credentials) and waits (up to a minute, or until ctx
// ends) until the namespace answers. The SDK logs through log, warnings and errors only.
// A frontend on this machine (a loopback address: caseflow dev's embedded server) is spoken
// to without gzip, which costs both sides CPU and saves nothing on loopback.
func Dial(ctx context.Context, opts client.Options, log *slog.Logger) (client.Client, error) {
	opts.Logger = sdklog.NewStructuredLogger(slog.New(warnOnly{log.Handler()}))
	if opts.ConnectionOptions.GrpcCompression == nil && onThisMachine(opts.HostPort) {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	hostPort, namespace := opts.HostPort, opts.Namespace
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("Temporal at %s does not answer (%v); start it, or set TEMPORAL_ADDRESS", hostPort, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.Close()
			return nil, fmt.Errorf("Temporal namespace %s at %s is not ready (%v); check TEMPORAL_NAMESPACE and that the server runs",
				namespace, hostPort, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// DefaultCacheSize is how many workflows a process's workers keep in memory between their
// workflow tasks (the SDK's sticky cache), unless SetCacheSize says otherwise. A case that
// is open waits for days between actions, and a cached one holds its goroutines and state
// all that time: about 70 KB each here, so the SDK's default of 10,000 would add some 700 MiB
// to a worker once a province has that many cases open (3,000 open cases took a worker alone
// from 165 to 378 MiB). A case's next task after it left the cache replays its history
// first (a few milliseconds for a case's hundred-odd events). docs/performance.md.
const DefaultCacheSize = 1000

// The SDK's cache is shared by every worker of the process, caseflow's and those of an
// embedded Temporal server (its system workflows), and sized when the first of them starts:
// so it is sized here, before any can.
func init() { worker.SetStickyWorkflowCacheSize(DefaultCacheSize) }

var cacheSize = DefaultCacheSize

// SetCacheSize sets how many workflows the workers of this process keep in memory between
// their workflow tasks (at least 1). Call it before any worker starts (an embedded Temporal
// server's too): the cache is sized when the first one does.
func SetCacheSize(n int) {
	cacheSize = max(n, 1)
	worker.SetStickyWorkflowCacheSize(cacheSize)
}

// CacheSize is how many workflows the workers of this process keep in memory (SetCacheSize).
func CacheSize() int { return cacheSize }

// NewWorker returns a worker for caseflow's task queue with every workflow and acts, the
// activities (an *activities.Activities; see Register). On shutdown, activities under way
// get time to finish (a delivery half-sent would otherwise wait out its timeout before it
// is retried). Its workflows share the process's cache (SetCacheSize).
func NewWorker(c client.Client, acts any) worker.Worker {
	w := worker.New(c, TaskQueue, worker.Options{WorkerStopTimeout: 15 * time.Second})
	Register(w, acts)
	return w
}

// warnOnly passes on only warnings and errors: the Temporal SDK is chatty at info.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{h.Handler.WithAttrs(attrs)}
}

func (h warnOnly) WithGroup(name string) slog.Handler { return warnOnly{h.Handler.WithGroup(name)} }

// onThisMachine says whether hostPort's host is a loopback address or localhost.
func onThisMachine(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	return err == nil && IsLoopback(host)
}

// IsLoopback says whether host names this machine: a loopback address or localhost.
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
