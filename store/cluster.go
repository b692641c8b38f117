package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Cluster is a private PostgreSQL cluster in a folder of its own: data directory,
// unix socket directory and port. It listens on its socket only (no TCP), trusts
// local connections, and runs as an unprivileged OS user when the caller is root.
type Cluster struct {
	Root      string // folder holding data/, server.log and cluster.json
	SocketDir string // where the server puts .s.PGSQL.<port>
	Port      int
	BinDir    string     // PostgreSQL server binaries (initdb, pg_ctl)
	RunAs     *user.User // OS user running the server; nil means the current user
	Notes     []string   // decisions worth telling the operator (fallback folders)
	metaFile  string     // where the layout is remembered (repo-local clusters only)
}

// clusterFile remembers the layout chosen at init, so later runs find the same cluster.
type clusterFile struct {
	Root      string `json:"root"`
	SocketDir string `json:"socket_dir"`
	Port      int    `json:"port"`
}

// DefaultPort is the port of a repo-local cluster. It only names the socket file:
// the cluster does not listen on TCP, so it cannot collide with a system PostgreSQL.
const DefaultPort = 54329

// maxSocketPath is the limit on a unix socket path (108 bytes on Linux, less elsewhere).
const maxSocketPath = 100

// ClusterSuperuser is the superuser name created by initdb for private clusters.
const ClusterSuperuser = "geodata"

// LocalCluster describes the cluster belonging to dataDir (for a checkout: <repo>/.geodata).
// It reads the layout remembered at init, or chooses one: <dataDir>/pg when the
// server's OS user can reach it, else a folder under /var/tmp, and a socket under
// /tmp when the path would be too long for a unix socket.
func LocalCluster(dataDir string) (*Cluster, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Port: DefaultPort, metaFile: filepath.Join(abs, "cluster.json")}
	if c.BinDir, err = findPGBin(); err != nil {
		return nil, err
	}
	if c.RunAs, err = serverUser(); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(c.metaFile); err == nil {
		var f clusterFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("read %s: %w", c.metaFile, err)
		}
		c.Root, c.SocketDir, c.Port = f.Root, f.SocketDir, f.Port
		return c, nil
	}
	c.Root = filepath.Join(abs, "pg")
	if c.RunAs != nil && !reachable(c.Root, c.RunAs) {
		fallback := filepath.Join("/var/tmp", "geodata-"+shortHash(abs), "pg")
		c.Notes = append(c.Notes, fmt.Sprintf("%s is not reachable by OS user %q (a parent folder is private), so the cluster lives in %s", c.Root, c.RunAs.Username, fallback))
		c.Root = fallback
	}
	c.SocketDir = filepath.Join(c.Root, "run")
	if len(c.socketPath()) >= maxSocketPath {
		c.SocketDir = filepath.Join("/tmp", "geodata-"+shortHash(abs))
		c.Notes = append(c.Notes, fmt.Sprintf("socket path too long for a unix socket; using %s", c.SocketDir))
	}
	return c, nil
}

// NewCluster describes a throwaway cluster under root (for tests that stop or break PostgreSQL).
func NewCluster(root string, port int) (*Cluster, error) {
	c := &Cluster{Root: root, SocketDir: filepath.Join(root, "run"), Port: port}
	var err error
	if c.BinDir, err = findPGBin(); err != nil {
		return nil, err
	}
	if c.RunAs, err = serverUser(); err != nil {
		return nil, err
	}
	if len(c.socketPath()) >= maxSocketPath {
		c.SocketDir = filepath.Join("/tmp", "geodata-"+shortHash(root))
	}
	return c, nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Root, "data") }
func (c *Cluster) logFile() string { return filepath.Join(c.Root, "server.log") }
func (c *Cluster) socketPath() string {
	return filepath.Join(c.SocketDir, ".s.PGSQL."+strconv.Itoa(c.Port))
}

// URL is the connection URL of database db in the cluster.
func (c *Cluster) URL(db string) string {
	q := url.Values{"host": {c.SocketDir}, "port": {strconv.Itoa(c.Port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(ClusterSuperuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// Initialized reports whether the data directory has been created.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION"))
	return err == nil
}

// Running reports whether the server answers pg_ctl status.
func (c *Cluster) Running(ctx context.Context) bool {
	return c.run(ctx, filepath.Join(c.BinDir, "pg_ctl"), "status", "-D", c.dataDir()) == nil
}

// Ensure creates the cluster if needed and starts it if it is not running.
func (c *Cluster) Ensure(ctx context.Context) error {
	if !c.Initialized() {
		if err := c.Init(ctx); err != nil {
			return err
		}
	}
	if !c.Running(ctx) {
		if err := c.Start(ctx); err != nil {
			return err
		}
	}
	return c.remember()
}

// Init creates the folders and runs initdb with UTF-8 and the C.UTF-8 locale, so
// upper/lower case of Vietnamese letters works in SQL.
func (c *Cluster) Init(ctx context.Context) error {
	for _, dir := range []string{c.Root, c.SocketDir} {
		if err := c.mkdirOwned(dir, 0o755); err != nil {
			return err
		}
	}
	if err := c.mkdirOwned(c.dataDir(), 0o700); err != nil {
		return err
	}
	err := c.run(ctx, filepath.Join(c.BinDir, "initdb"), "-D", c.dataDir(), "-E", "UTF8",
		"--locale=C.UTF-8", "-U", ClusterSuperuser, "--auth=trust")
	if err != nil {
		return fmt.Errorf("initdb in %s: %w", c.dataDir(), err)
	}
	conf := fmt.Sprintf("\n# geodata private cluster\nlisten_addresses = ''\nport = %d\nunix_socket_directories = '%s'\n"+
		"max_connections = 300\nshared_buffers = 256MB\nmaintenance_work_mem = 256MB\nmax_wal_size = 2GB\n"+
		"max_locks_per_transaction = 256\nlogging_collector = off\n", c.Port, c.SocketDir)
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(conf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	if err := c.mkdirOwned(c.SocketDir, 0o755); err != nil { // /tmp may have been cleaned
		return err
	}
	err := c.run(ctx, filepath.Join(c.BinDir, "pg_ctl"), "start", "-w", "-t", "60", "-D", c.dataDir(), "-l", c.logFile())
	if err != nil {
		return fmt.Errorf("start PostgreSQL in %s (log: %s): %w", c.dataDir(), c.logFile(), err)
	}
	return nil
}

// Stop stops the server (fast mode: running transactions are rolled back).
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.Running(ctx) {
		return nil
	}
	return c.run(ctx, filepath.Join(c.BinDir, "pg_ctl"), "stop", "-w", "-m", "fast", "-D", c.dataDir())
}

// Remove stops the server and deletes the cluster's folders.
func (c *Cluster) Remove(ctx context.Context) error {
	if c.Initialized() {
		if err := c.Stop(ctx); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(c.Root); err != nil {
		return err
	}
	return os.RemoveAll(c.SocketDir)
}

// remember writes cluster.json into the data dir of a repo-local cluster.
func (c *Cluster) remember() error {
	if c.metaFile == "" {
		return nil
	}
	if _, err := os.Stat(c.metaFile); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.metaFile), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(clusterFile{Root: c.Root, SocketDir: c.SocketDir, Port: c.Port}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(c.metaFile, b, 0o644)
}

func (c *Cluster) mkdirOwned(dir string, mode os.FileMode) error {
	if err := os.MkdirAll(dir, mode); err != nil {
		return err
	}
	if err := os.Chmod(dir, mode); err != nil {
		return err
	}
	if c.RunAs == nil {
		return nil
	}
	uid, gid := ids(c.RunAs)
	return os.Chown(dir, uid, gid)
}

// run executes a PostgreSQL binary as the cluster's OS user.
func (c *Cluster) run(ctx context.Context, bin string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.Root
	if _, err := os.Stat(c.Root); err != nil {
		cmd.Dir = "/"
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	if c.RunAs != nil {
		uid, gid := ids(c.RunAs)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(cmd.Env, "HOME="+c.RunAs.HomeDir, "USER="+c.RunAs.Username)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// findPGBin finds the server binaries: the newest /usr/lib/postgresql/N/bin with
// initdb (Debian layout), else initdb on PATH.
func findPGBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	if len(dirs) > 0 {
		return filepath.Dir(dirs[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found: run `make deps` (installs postgresql-15-postgis-3) or set DATABASE_URL")
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// serverUser is the OS user that runs the cluster: PostgreSQL refuses to run as root,
// so root hands it to the "postgres" user that Debian's packages create.
func serverUser() (*user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the OS user \"postgres\" to run the private cluster (install postgresql-15): %w", err)
	}
	return u, nil
}

func ids(u *user.User) (int, int) {
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

// reachable reports whether u can traverse every existing ancestor of path.
func reachable(path string, u *user.User) bool {
	uid, gid := ids(u)
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err == nil {
			st := fi.Sys().(*syscall.Stat_t)
			mode := fi.Mode().Perm()
			ok := mode&0o001 != 0 ||
				(int(st.Gid) == gid && mode&0o010 != 0) ||
				(int(st.Uid) == uid && mode&0o100 != 0)
			if !ok {
				return false
			}
		}
		if dir == "/" || dir == "." {
			return true
		}
	}
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:4])
}

// WaitReady polls until the database at url accepts a query or ctx ends.
func WaitReady(ctx context.Context, url string) error {
	for {
		db, err := Open(ctx, url)
		if err == nil {
			db.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("database not ready: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
