package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/vn-opendata/geodata/store"
)

// cmdDB manages the private local cluster: up (create and start), down (stop),
// status, url (print the connection URL of the service database).
func cmdDB(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("db", flag.ContinueOnError)
	cfg.commonFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: geodata db up|down|status|url [flags]")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("db: missing action")
	}
	action := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if os.Getenv("DATABASE_URL") != "" && action != "url" {
		fmt.Fprintln(os.Stderr, "geodata: DATABASE_URL is set; the private cluster is not used")
		return nil
	}
	c, err := store.LocalCluster(cfg.DataDir)
	if err != nil {
		return err
	}
	switch action {
	case "up":
		loc, err := store.Locate(ctx, cfg.DataDir)
		if err != nil {
			return err
		}
		for _, note := range loc.Cluster.Notes {
			fmt.Fprintln(os.Stderr, "geodata: note:", note)
		}
		fmt.Fprintln(os.Stderr, "geodata: database:", loc.Description)
		return nil
	case "down":
		return c.Stop(ctx)
	case "status":
		state := "not created"
		if c.Initialized() {
			state = "stopped"
			if c.Running(ctx) {
				state = "running"
			}
		}
		fmt.Printf("%s: %s\n", c.Root, state)
		return nil
	case "url":
		if u := os.Getenv("DATABASE_URL"); u != "" {
			fmt.Println(u)
			return nil
		}
		fmt.Println(c.URL(store.DatabaseName))
		return nil
	}
	return fmt.Errorf("db: unknown action %q", action)
}
