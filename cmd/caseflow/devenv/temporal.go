package devenv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/putian-fic/caseflow/workflows"
)

// TemporalConfig says where the embedded Temporal server keeps its state and listens.
type TemporalConfig struct {
	// DatabaseFile is the SQLite file; empty with Ephemeral for an in-memory store.
	DatabaseFile string
	// Ephemeral keeps everything in memory: nothing survives the process.
	Ephemeral bool
	// Namespace is created before the server starts.
	Namespace string
	// FrontendPort is the gRPC port clients dial; 0 picks a free port below 32768.
	// The history, matching and worker services use the three ports above it.
	FrontendPort int
}

// TemporalServer is an in-process Temporal server backed by SQLite.
type TemporalServer struct {
	server   temporal.Server
	HostPort string
}

// StartTemporal creates the namespace and starts an in-process Temporal server.
func StartTemporal(cfg TemporalConfig) (*TemporalServer, error) {
	const host = "127.0.0.1"
	port := cfg.FrontendPort
	if port == 0 {
		var err error
		if port, err = freePortBlock(4); err != nil {
			return nil, err
		}
	}
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
		DatabaseName:      cfg.DatabaseFile,
	}
	if cfg.Ephemeral {
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
		sqlCfg.DatabaseName = fmt.Sprintf("caseflow-%d-%d", os.Getpid(), rand.Int64())
	} else {
		if cfg.DatabaseFile == "" {
			return nil, errors.New("temporal: a database file is needed unless ephemeral")
		}
		if err := os.MkdirAll(filepath.Dir(cfg.DatabaseFile), 0o755); err != nil {
			return nil, fmt.Errorf("temporal: %w", err)
		}
		sqlCfg.ConnectAttributes["mode"] = "rwc"
		sqlCfg.ConnectAttributes["setup"] = "true"
		sqlCfg.ConnectAttributes["journal_mode"] = "wal"
		sqlCfg.ConnectAttributes["synchronous"] = "NORMAL"
	}

	const clusterName = "active"
	ns, err := sqlite.NewNamespaceConfig(clusterName, cfg.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("temporal: namespace config: %w", err)
	}
	// Keep closed workflows' histories for a year: the efficiency office audits them.
	ns.Detail.Config.Retention = durationpb.New(365 * 24 * time.Hour)
	if err := sqlite.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("temporal: create namespace: %w", err)
	}

	services := map[string]int{
		string(primitives.FrontendService): port,
		string(primitives.HistoryService):  port + 1,
		string(primitives.MatchingService): port + 2,
		string(primitives.WorkerService):   port + 3,
	}
	serverCfg := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: net.JoinHostPort(host, strconv.Itoa(port))},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            map[string]config.Service{},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: net.JoinHostPort(host, strconv.Itoa(port))},
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, p := range services {
		serverCfg.Services[name] = config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: host}}
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(p)))
	}

	// The history service keeps each workflow's state in memory after a request on it; by
	// default the last 128,000 touched within the hour, which after a busy day is much of
	// dev's heap, scanned by every collection. It keeps as many as the worker's cache does
	// (workflows.CacheSize); a request on a case that left it reads the case's state from
	// SQLite first. An entry is pinned while a request on its workflow is under way, and a
	// cache full of pinned entries answers "resource exhausted" (which clients retry): it
	// never goes below 256 workflows with requests under way at once. docs/performance.md.
	historyCache := max(workflows.CacheSize(), 256)
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverCfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(log.NewNoopLogger()),
		// One partition per task queue: on one node the default four only make matching
		// forward tasks and polls between them (about 6% of a lifecycle's CPU here).
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
			dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
			dynamicconfig.HistoryCacheHostLevelMaxSize.Key():        historyCache,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("temporal: start: %w", err)
	}
	return &TemporalServer{server: srv, HostPort: net.JoinHostPort(host, strconv.Itoa(port))}, nil
}

// Stop stops the server; it takes about a second.
func (s *TemporalServer) Stop() error { return s.server.Stop() }

// freePortBlock finds n consecutive free loopback ports below 32768: the server's
// membership table and outbound connections make higher ports unsafe.
func freePortBlock(n int) (int, error) {
	for range 200 {
		base := 20000 + rand.IntN(12000)
		ok := true
		for i := range n {
			if !portFree(base + i) {
				ok = false
				break
			}
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no free block of ports below 32768")
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
