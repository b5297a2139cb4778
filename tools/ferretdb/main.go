// Command ferretdb runs FerretDB v1 for the local stack through its embeddable package.
//
// Why a wrapper instead of `go install github.com/FerretDB/FerretDB/cmd/ferretdb`: FerretDB's own
// main reads build/version/version.txt, which `task gen-version` writes in a git checkout and which
// the module zip from the Go proxy lacks, so that binary panics at start. The embeddable package
// skips that check (it only runs when the main module is FerretDB itself), keeps the pinned release
// code unchanged, and disables telemetry on its own. Building the upstream command with a
// hand-written version.txt would mean patching the read-only module cache.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27018", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL connection string (postgresql handler)")
	sqliteURL := flag.String("sqlite-url", "", "SQLite directory URI such as file:/path/ (sqlite handler)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       *handler,
		PostgreSQLURL: *postgresURL,
		SQLiteURL:     *sqliteURL,
	})
	if err != nil {
		logger.Error("cannot start", "error", err)
		os.Exit(1)
	}

	// SIGTERM from scripts/stack/down.sh cancels the context: Run then closes the listener,
	// the client connections and the backend before returning.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	logger.Info("listening", "addr", *listen, "handler", *handler)
	if err := f.Run(ctx); err != nil {
		logger.Error("stopped with error", "error", err)
		os.Exit(1)
	}
}
