package handlers

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
)

// jobRunner runs the import jobs of this process, a few at a time; their state
// is kept in PostgreSQL (store.Job) so that any replica reports them.
type jobRunner struct {
	ctx    context.Context // ends when the server closes: running jobs stop
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup
}

func newJobRunner(workers int) *jobRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobRunner{ctx: ctx, cancel: cancel, slots: make(chan struct{}, workers)}
}

// start runs the job of an upload in the background.
func (j *jobRunner) start(s *Server, job store.Job, up *upload) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		s.runJob(j.ctx, job, up)
	}()
}

// close stops the running jobs (their transactions roll back; they are
// recorded as interrupted) and waits for them.
func (j *jobRunner) close() {
	j.cancel()
	j.wg.Wait()
}

// Close stops the background work of the server: running import jobs are
// interrupted (nothing of them is written) and recorded as such.
func (s *Server) Close() { s.jobs.close() }

// heartbeatEvery is how often a job reports its progress and that it lives.
const heartbeatEvery = 2 * time.Second

// jobProgress is what the import reports, read by the heartbeat.
type jobProgress struct {
	phase atomic.Value // string
	rows  atomic.Int64
	share atomic.Uint64 // float64 bits
}

func (p *jobProgress) update(phase string, done, total int64) {
	p.phase.Store(phase)
	p.rows.Store(done)
	if phase == "load" && total > 0 {
		p.share.Store(math.Float64bits(0.5 + 0.5*float64(done)/float64(total)))
	}
}

// runJob waits for a slot, imports the upload and records the outcome. The
// spooled file is removed in every case.
func (s *Server) runJob(ctx context.Context, job store.Job, up *upload) {
	defer os.Remove(up.path)
	log := s.log.With("job", job.ID, "collection", job.Collection)
	progress := &jobProgress{}
	progress.phase.Store("")
	running := atomic.Bool{}
	stop := make(chan struct{})
	beats := sync.WaitGroup{}
	beats.Add(1)
	go func() {
		defer beats.Done()
		s.beat(ctx, job.ID, progress, &running, stop)
	}()
	finish := func(o store.JobOutcome) {
		close(stop)
		beats.Wait()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := s.db.FinishJob(rctx, job.ID, o); err != nil {
			log.Error("record the end of an import job", "err", err)
		}
	}
	select {
	case s.jobs.slots <- struct{}{}:
	case <-ctx.Done():
		finish(store.JobOutcome{Error: "interrupted: the server stopped before the import began; upload again"})
		return
	}
	defer func() { <-s.jobs.slots }()
	running.Store(true)
	progress.update("validate", 0, 0)
	up.req.Progress = progress.update
	runCtx, cancel := context.WithTimeout(ctx, s.wcfg.ImportTimeout)
	res, err := ingest.Import(runCtx, s.db, up.req)
	cancel()
	outcome := store.JobOutcome{Succeeded: err == nil}
	if res != nil {
		outcome.Report, outcome.Version = res, res.Version
	}
	if err != nil {
		outcome.Error = s.jobError(ctx, err)
		log.Warn("import job failed", "err", err)
	} else {
		log.Info("import job done", "version", res.Version, "rows", res.Report.Read, "skipped", res.Skipped)
	}
	if outcome.Version > 0 {
		// The uploader polls the job: when it says succeeded, this server
		// serves the new version already.
		actx, acancel := context.WithTimeout(ctx, s.wcfg.ImportTimeout)
		if aerr := s.cat.Apply(actx, store.Change{Collection: job.Collection, Version: outcome.Version, Kind: "replace"}); aerr != nil {
			log.Warn("snapshot not updated after an import", "err", aerr)
		}
		acancel()
	}
	finish(outcome)
}

// beat writes the job's progress (once it runs) or a heartbeat (while it
// waits for a slot) until stop closes.
func (s *Server) beat(ctx context.Context, id int64, p *jobProgress, running *atomic.Bool, stop <-chan struct{}) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		bctx, cancel := context.WithTimeout(ctx, heartbeatEvery)
		var err error
		if running.Load() {
			err = s.db.JobProgress(bctx, id, p.phase.Load().(string), p.rows.Load(), math.Float64frombits(p.share.Load()))
		} else {
			err = s.db.JobHeartbeat(bctx, id)
		}
		cancel()
		if err != nil && ctx.Err() == nil {
			s.log.Warn("import job heartbeat", "job", id, "err", err)
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// jobError is the reason a job failed as its uploader reads it: the pipeline's
// own words for what is wrong with the file or the request, a plain sentence
// for what went wrong on the server's side (logged in full).
func (s *Server) jobError(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "interrupted: the server stopped during the import; nothing was written, upload again"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, store.ErrTimeout):
		return "the import took longer than " + s.wcfg.ImportTimeout.String() + "; nothing was written"
	case errors.Is(err, ingest.ErrRejected), errors.Is(err, importers.ErrFormat), errors.Is(err, store.ErrConflict),
		errors.Is(err, store.ErrInvalid):
		return err.Error()
	case store.FromDatabase(err):
		return "the database failed during the import; nothing was written, upload again later"
	}
	return err.Error()
}

// jobDoc is a job as GET /jobs/{id} shows it.
type jobDoc struct {
	store.Job
	Links []link `json:"links"`
}

func (s *Server) jobDoc(r *http.Request, j store.Job) jobDoc {
	base := s.baseURL(r)
	col := base + "/collections/" + url.PathEscape(j.Collection)
	return jobDoc{Job: j, Links: []link{
		{Href: base + "/jobs/" + strconv.FormatInt(j.ID, 10), Rel: "self", Type: mediaJSON, Title: "Tiến trình nhập dữ liệu / import job"},
		{Href: col, Rel: "collection", Type: mediaJSON, Title: j.Collection},
		{Href: col + "/versions", Rel: "version-history", Type: mediaJSON, Title: "Các phiên bản / versions"},
	}}
}

// job is GET /jobs/{id}: the state, progress, validation report and resulting
// version of an import, for the token that started it, its agency or an admin.
func (s *Server) job(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	tok, err := s.requireToken(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(mux.Vars(r)["jobId"], 10, 64)
	if err != nil || id < 1 {
		return notFound("no import job %q", mux.Vars(r)["jobId"])
	}
	j, err := s.db.Job(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no import job %d / không có tiến trình này", id)
	}
	if err != nil {
		return s.unavailable(err)
	}
	if !tok.Admin && tok.ID != j.TokenID && (tok.AgencyID == "" || tok.AgencyID != j.AgencyID) {
		return forbidden("this import job is another agency's")
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, mediaJSON, s.jobDoc(r, j))
}

// initWrites prepares the write API: limits, the upload folder (spooled files
// a stopped process left behind are removed) and the job runner.
func (s *Server) initWrites(cfg WritesConfig) error {
	cfg.defaults()
	dir := cfg.UploadDir
	if dir == "" {
		d, err := os.MkdirTemp("", "geodata-uploads-")
		if err != nil {
			return err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "upload-*"))
	for _, f := range old {
		if st, err := os.Stat(f); err == nil && time.Since(st.ModTime()) > cfg.ImportTimeout+cfg.UploadTimeout {
			os.Remove(f)
		}
	}
	s.writeAPI = writeAPI{wcfg: cfg, wlimit: newRateLimiter(cfg.Burst, cfg.Every), jobs: newJobRunner(cfg.ImportWorkers), uploads: dir}
	s.collectionLinkers = append(s.collectionLinkers, versionLinks)
	return nil
}
