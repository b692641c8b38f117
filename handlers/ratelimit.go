package handlers

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateLimiter is a token bucket per client address, in memory: burst requests
// at once, then one per every. Idle buckets are dropped as the map grows, so
// memory stays bounded by the clients of the last few minutes.
type rateLimiter struct {
	burst   float64
	every   time.Duration
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(burst int, every time.Duration) *rateLimiter {
	return &rateLimiter{burst: float64(burst), every: every, now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token of client's bucket; when there is none it says how long
// until the next.
func (l *rateLimiter) allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= 10000 {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.every))
}

// sweep drops the buckets that have filled up again: they are as good as new.
func (l *rateLimiter) sweep(now time.Time) {
	full := time.Duration(l.burst * float64(l.every))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}

// limit answers 429 with Retry-After when the client has sent too much.
func (s *Server) limit(w http.ResponseWriter, r *http.Request) error {
	ok, wait := s.limiter.allow(s.clientAddr(r))
	if ok {
		return nil
	}
	return tooMany(w, wait)
}

// tooMany is the 429 of a rate limit, with Retry-After.
func tooMany(w http.ResponseWriter, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests",
		Description: "too many requests from your address; try again in " + strconv.Itoa(secs) + " s / bạn gửi quá nhiều, vui lòng thử lại sau " + strconv.Itoa(secs) + " giây"}
}

// clientAddr is the client's IP address: the connection's, or the last
// X-Forwarded-For entry when the service is configured to trust its proxy.
func (s *Server) clientAddr(r *http.Request) string {
	if s.ccfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
