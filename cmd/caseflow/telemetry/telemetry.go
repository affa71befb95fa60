// Package telemetry gives caseflow's processes the Temporal SDK's own metrics, served on
// their /metrics beside caseflow's, and, when an OTLP endpoint is configured
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), traces: each HTTP
// request a span named by its route, the Temporal calls it makes (start, update) its
// children, and through the SDK's tracing interceptor the workflow and activity work on the
// workers, in one trace. Without an endpoint nothing is traced and nothing is sent.
package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Telemetry is one process's metrics and traces.
type Telemetry struct {
	// Metrics holds the Temporal SDK's metrics (temporal_*), for /metrics.
	Metrics *prometheus.Registry
	handler client.MetricsHandler
	// tracing is the SDK's tracing interceptor; nil when no OTLP endpoint is configured.
	tracing  interceptor.Interceptor
	shutdown []func(context.Context) error
}

// Endpoint is the OTLP endpoint traces go to, from the OpenTelemetry environment ("" for none).
func Endpoint() string {
	if e := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); e != "" {
		return e
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
}

// New sets up the SDK's metrics and, with an OTLP endpoint, tracing for the process named
// service (caseflow-api, caseflow-worker, caseflow-dev; OTEL_SERVICE_NAME overrides it).
func New(ctx context.Context, service string) (*Telemetry, error) {
	t := &Telemetry{Metrics: prometheus.NewRegistry()}
	exporter, err := otelprom.New(otelprom.WithRegisterer(t.Metrics), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("telemetry: metrics: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	t.shutdown = append(t.shutdown, mp.Shutdown)
	t.handler = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: mp.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		OnError:              func(err error) { slog.Warn("a Temporal SDK metric was not recorded", "err", err) }})
	endpoint := Endpoint()
	if endpoint == "" {
		return t, nil
	}
	// The exporter reads the rest of OTEL_EXPORTER_OTLP_* itself (insecure, headers,
	// certificate, timeout); it connects lazily, so a collector that is down costs
	// dropped spans, never a request.
	spans, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP endpoint %s: %w", endpoint, err)
	}
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res))
	t.shutdown = append(t.shutdown, tp.Shutdown)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if t.tracing, err = temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer("caseflow")}); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	slog.Info("traces are sent over OTLP", "endpoint", endpoint, "service", service)
	return t, nil
}

// Tracing reports whether traces are sent.
func (t *Telemetry) Tracing() bool { return t != nil && t.tracing != nil }

// Client adds the SDK's metrics handler and, when tracing, its interceptor to a Temporal
// client's options (the workers made from that client inherit both).
func (t *Telemetry) Client(opts client.Options) client.Options {
	if t == nil {
		return opts
	}
	opts.MetricsHandler = t.handler
	if t.tracing != nil {
		opts.Interceptors = append(opts.Interceptors, t.tracing)
	}
	return opts
}

// HTTP wraps h so that, when tracing, each request is a span (continuing the caller's trace
// from its traceparent header); the API names it by its route. Probes and scrapes are not traced.
func (t *Telemetry) HTTP(h http.Handler) http.Handler {
	if !t.Tracing() {
		return h
	}
	return otelhttp.NewHandler(h, "caseflow", otelhttp.WithFilter(func(r *http.Request) bool {
		switch r.URL.Path {
		case "/metrics", "/healthz", "/readyz", "/api/v1/healthz":
			return false
		}
		return true
	}))
}

// Gatherer is what /metrics serves besides its own: the SDK's metrics (nil-safe).
func (t *Telemetry) Gatherer() prometheus.Gatherer {
	if t == nil {
		return prometheus.Gatherers{}
	}
	return t.Metrics
}

// Close sends the spans still buffered (5 seconds at most) and stops.
func (t *Telemetry) Close() {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, f := range t.shutdown {
		if err := f(ctx); err != nil {
			slog.Warn("telemetry did not stop cleanly", "err", err)
		}
	}
}
