package basicauthbypass

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// usersFileCheckInterval is how often, at most, usersFile is checked for changes. The check is
// made by a request that needs authentication, so an idle middleware does no work at all.
const usersFileCheckInterval = 3 * time.Second

// userState is a user set and its generation, which counts the reloads before it: the cache
// keeps only credentials verified against the current one.
type userState struct {
	users      *userSet
	generation uint64
}

// userStore holds the current users and follows edits of usersFile lazily: a request that
// finds the last check older than the interval stats the file, and reloads it when its size or
// modification time changed. A file that no longer loads keeps the last good users, and the
// error is logged once per change of the file.
//
// The cache of verified credentials lives here too, since a reload must empty it.
type userStore struct {
	// nextCheck is when usersFile is next due for a check, in Unix nanoseconds; read and
	// written atomically, so that ServeHTTP's check costs no lock. First in the struct,
	// where 32-bit platforms align it for atomic access.
	nextCheck int64

	inline   []string
	file     string
	interval time.Duration
	log      *logger
	cache    *credentialCache

	mu    sync.RWMutex
	state *userState
	stamp fileStamp
}

// fileStamp is what tells that a file changed.
type fileStamp struct {
	modTime int64
	size    int64
}

// newUserStore loads the users; an error here is a configuration error.
func newUserStore(inline []string, file string, log *logger) (*userStore, error) {
	s := &userStore{inline: inline, file: file, interval: usersFileCheckInterval, log: log}
	if file != "" {
		if info, err := os.Stat(file); err == nil {
			s.stamp = fileStamp{modTime: info.ModTime().UnixNano(), size: info.Size()}
		}
	}
	users, err := loadUsers(inline, file)
	if err != nil {
		return nil, err
	}
	if s.cache, err = newCredentialCache(); err != nil {
		return nil, err
	}
	s.state = &userState{users: users}
	atomic.StoreInt64(&s.nextCheck, time.Now().Add(s.interval).UnixNano())
	return s, nil
}

// current returns the users to check a request against, reloading usersFile first if it is
// due for a check and changed. Without a usersFile the state never changes, and callers may
// read s.state directly.
func (s *userStore) current() *userState {
	if s.file == "" {
		return s.state
	}
	now := time.Now()
	if now.UnixNano() < atomic.LoadInt64(&s.nextCheck) {
		s.mu.RLock()
		state := s.state
		s.mu.RUnlock()
		return state
	}
	return s.refresh(now)
}

// followEdits reloads usersFile if it is due for a check and changed, which empties the
// cache. ServeHTTP calls it before a cache lookup, which needs no users.
func (s *userStore) followEdits() {
	now := time.Now()
	if now.UnixNano() >= atomic.LoadInt64(&s.nextCheck) {
		s.refresh(now)
	}
}

// refresh checks usersFile and reloads it when it changed. Only one request does the check;
// the others go on with the users they have.
func (s *userStore) refresh(now time.Time) *userState {
	s.mu.Lock()
	state := s.state
	if now.UnixNano() < atomic.LoadInt64(&s.nextCheck) {
		s.mu.Unlock()
		return state
	}
	atomic.StoreInt64(&s.nextCheck, now.Add(s.interval).UnixNano())
	last := s.stamp
	s.mu.Unlock()

	info, err := os.Stat(s.file)
	if err != nil {
		stamp := fileStamp{modTime: -1}
		if stamp.modTime != last.modTime || stamp.size != last.size {
			s.log.errorf("usersFile %q cannot be read, keeping the users loaded before (%d): %v", s.file, len(state.users.byName), err)
			s.setStamp(stamp)
		}
		return state
	}
	stamp := fileStamp{modTime: info.ModTime().UnixNano(), size: info.Size()}
	if stamp.modTime == last.modTime && stamp.size == last.size {
		return state
	}
	users, err := loadUsers(s.inline, s.file)
	if err != nil {
		s.log.errorf("usersFile %q changed but cannot be used, keeping the users loaded before (%d): %v", s.file, len(state.users.byName), err)
		s.setStamp(stamp)
		return state
	}
	fresh := &userState{users: users, generation: state.generation + 1}
	s.mu.Lock()
	s.state = fresh
	s.stamp = stamp
	s.mu.Unlock()
	// After the new users are in place: a check against the old ones that ends later is
	// not cached, as its generation is past.
	s.cache.reset(fresh.generation)
	s.log.notef("usersFile %q reloaded: %d users (%s)", s.file, len(fresh.users.byName), describeFormats(fresh.users.formats))
	return fresh
}

// setStamp records the stamp of a file version that was dealt with.
func (s *userStore) setStamp(stamp fileStamp) {
	s.mu.Lock()
	s.stamp = stamp
	s.mu.Unlock()
}
