package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vn-opendata/geodata/store"
)

// cmdToken creates, lists and revokes API tokens:
//
//	geodata token create --agency ID [--admin] [--name TEXT] [--expires 8760h]
//	geodata token list
//	geodata token revoke ID
func cmdToken(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke" && args[0] != "list") {
		return fmt.Errorf("token: use `geodata token create --agency ID [--admin]`, `geodata token list` or `geodata token revoke ID`")
	}
	cfg := defaultConfig()
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	cfg.commonFlags(fs)
	agency := fs.String("agency", "", "the agency the token acts for")
	admin := fs.Bool("admin", false, "the open-data coordinator's token: writes every collection, answers all feedback")
	name := fs.String("name", "", "what the token is for (shown in logs)")
	expires := fs.Duration("expires", 0, "lifetime, for example 8760h; 0: no expiry")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	region, db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "list" {
		return listTokens(ctx, db)
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

// listTokens prints every token: id, whom it acts for, its name, and whether
// it is live; never a secret (only their hashes are stored).
func listTokens(ctx context.Context, db *store.DB) error {
	tokens, err := db.ListTokens(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tAGENCY\tADMIN\tNAME\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	for _, t := range tokens {
		state := "live"
		switch {
		case t.RevokedAt != nil:
			state = "revoked " + day(t.RevokedAt)
		case t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()):
			state = "expired"
		}
		agency, name := t.AgencyID, t.Name
		if agency == "" {
			agency = "-"
		}
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(w, "%d\t%s\t%t\t%s\t%s\t%s\t%s\t%s\n", t.ID, agency, t.Admin, name, day(&t.CreatedAt),
			day(t.ExpiresAt), day(t.LastUsedAt), state)
	}
	return w.Flush()
}
