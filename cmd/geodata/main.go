// Command geodata is the one binary of the geodata service: serve the datasets,
// import files, apply migrations, write sample data, manage tokens and the
// private local PostGIS cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `geodata — the geospatial open-data service of a Vietnamese province

Usage:
  geodata serve   [flags]                 serve the API, tiles and pages
  geodata import  FILE --collection ID    import a file into a collection
  geodata import  --manifest FILE         import every file a manifest lists
  geodata migrate                         apply database migrations
  geodata sample  --out DIR               write the sample datasets
  geodata sample  --bench --out DIR       write the benchmark data of make bench
  geodata report  --year YEAR             write the yearly open-data report (Markdown, XLSX)
  geodata token   create --agency ID      create an agency's API token (--admin: the coordinator's)
  geodata token   list | revoke ID        list the tokens (never their secrets), revoke one
  geodata db      up|down|status|url      the private local PostGIS cluster
  geodata export-tiles --out FILE         write the vector tiles to a PMTiles archive

Every command finds its database the same way: DATABASE_URL when set, else the
private cluster under the data folder (.geodata of the checkout), created on demand.
Run "geodata COMMAND -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1], os.Args[2:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "geodata:", err)
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		os.Exit(1)
	}
}

// exitCode lets a command choose its exit status (for example 2 for a rejected import).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "serve":
		return cmdServe(ctx, args)
	case "import":
		return cmdImport(ctx, args)
	case "migrate":
		return cmdMigrate(ctx, args)
	case "sample":
		return cmdSample(ctx, args)
	case "db":
		return cmdDB(ctx, args)
	case "export-tiles":
		return cmdExportTiles(ctx, args)
	case "report":
		return cmdReport(ctx, args)
	case "token":
		return cmdToken(ctx, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
