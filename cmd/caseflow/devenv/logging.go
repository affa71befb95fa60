package devenv

import (
	"context"
	"log/slog"

	"go.temporal.io/api/workflowservice/v1"
)

// warnOnly passes on only warnings and errors: the Temporal SDK is chatty at info.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func describeNamespace(ns string) *workflowservice.DescribeNamespaceRequest {
	return &workflowservice.DescribeNamespaceRequest{Namespace: ns}
}
