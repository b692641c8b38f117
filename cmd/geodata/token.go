package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/vn-opendata/geodata/catalog"
)

// cmdToken creates and revokes API tokens (issue 9 extends it):
//
//	geodata token create --agency ID [--admin] [--name TEXT] [--expires 8760h]
//	geodata token revoke ID
func cmdToken(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return fmt.Errorf("token: use `geodata token create --agency ID [--admin]` or `geodata token revoke ID`")
	}
	cfg := defaultConfig()
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	cfg.commonFlags(fs)
	agency := fs.String("agency", "", "the agency the token acts for")
	admin := fs.Bool("admin", false, "the open-data coordinator's token: answers all feedback")
	name := fs.String("name", "", "what the token is for (shown in logs)")
	expires := fs.Duration("expires", 0, "lifetime, for example 8760h; 0: no expiry")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	region, err := catalog.LoadRegion(cfg.Region)
	if err != nil {
		return err
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(ctx, db, region); err != nil {
		return err
	}
	if args[0] == "revoke" {
		if fs.NArg() != 1 {
			return fmt.Errorf("token revoke: give the token id")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("token revoke: %q is not a token id", fs.Arg(0))
		}
		return db.RevokeToken(ctx, id)
	}
	if *agency == "" && !*admin {
		return fmt.Errorf("token create: give --agency ID, or --admin")
	}
	if *agency != "" {
		if _, ok := region.AgencyHistory().Get(*agency); !ok {
			return fmt.Errorf("token create: agency %q is not in the region profile", *agency)
		}
	}
	var until time.Time
	if *expires > 0 {
		until = time.Now().Add(*expires)
	}
	secret, tok, err := db.CreateToken(ctx, *agency, *admin, *name, until)
	if err != nil {
		return err
	}
	who := *agency
	if *admin {
		who = "the open-data coordinator (admin) " + who
	}
	fmt.Fprintf(os.Stderr, "geodata: token %d for %s created; the secret is shown once:\n", tok.ID, who)
	fmt.Println(secret)
	return nil
}
