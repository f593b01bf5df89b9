package basicauthbypass

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Errors wrapped by users and usersFile configuration errors.
var (
	errNoUsers       = errors.New("no users configured: set users or usersFile")
	errUserLine      = errors.New("invalid user entry")
	errDuplicateUser = errors.New("user defined twice")
)

// userSet is the immutable set of users a middleware instance accepts.
type userSet struct {
	byName map[string]verifier
	// formats counts the users of each hash format, for the logs.
	formats map[string]int
	// decoy is verified instead when a name is unknown, so that an unknown name costs the same
	// time as a wrong password as long as all users share one hash format and cost.
	decoy verifier
}

// loadUsers merges the inline users with those of usersFile (if set). Each entry is
// "name:hash" split at the first colon. Errors name the entry (users[i] or file:line) and the
// user, never the hash.
func loadUsers(inline []string, usersFile string) (*userSet, error) {
	set := &userSet{byName: make(map[string]verifier), formats: make(map[string]int)}
	where := make(map[string]string)
	for i, line := range inline {
		if err := set.add(line, fmt.Sprintf("users[%d]", i), where); err != nil {
			return nil, fmt.Errorf("option %w", err)
		}
	}
	if usersFile != "" {
		content, err := os.ReadFile(usersFile)
		if err != nil {
			return nil, fmt.Errorf("option usersFile %q: %w", usersFile, err)
		}
		for i, line := range strings.Split(string(content), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := set.add(line, fmt.Sprintf("%s:%d", usersFile, i+1), where); err != nil {
				return nil, fmt.Errorf("option usersFile %w", err)
			}
		}
	}
	if len(set.byName) == 0 {
		return nil, errNoUsers
	}
	return set, nil
}

// add parses one "name:hash" entry found at place and adds it to the set.
func (s *userSet) add(line, place string, where map[string]string) error {
	line = strings.TrimSpace(line)
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return fmt.Errorf("%s: %w: want name:hash, found no colon", place, errUserLine)
	}
	name, hash := line[:colon], line[colon+1:]
	if name == "" {
		return fmt.Errorf("%s: %w: empty user name", place, errUserLine)
	}
	if first, ok := where[name]; ok {
		return fmt.Errorf("%s: %w: user %q is already defined at %s", place, errDuplicateUser, name, first)
	}
	v, err := parseHash(hash)
	if err != nil {
		return fmt.Errorf("%s: user %q: %w", place, name, err)
	}
	where[name] = place
	s.byName[name] = v
	s.formats[hashFormat(hash)]++
	if s.decoy == nil {
		s.decoy = v
	}
	return nil
}

// has reports whether name is a user.
func (s *userSet) has(name string) bool {
	_, ok := s.byName[name]
	return ok
}

// verify reports whether password is right for the user name. An unknown name is checked
// against the decoy hash, and refused whatever the outcome.
func (s *userSet) verify(name, password string) bool {
	v, ok := s.byName[name]
	if !ok {
		s.decoy.verify(password)
		return false
	}
	return v.verify(password)
}
