package userpool

import (
	"encoding/base64"
	"sort"
	"strings"
)

// ListUsers pages through the pool's usernames in sorted order, kept
// sorted as users are added and removed (tracker.order), so a page costs
// about the same in a pool of 500 users and one of 50,000: no copy and
// sort of the pool per call, and a filtered scan stops once the page is
// full. Its pagination token names the last username answered (opaque to
// callers), so a page seeks to its start instead of counting from the
// first user.

// listTokenPrefix starts every decoded ListUsers pagination token.
const listTokenPrefix = "users/1:"

func listToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(listTokenPrefix + after))
}

// parseListToken returns the username a ListUsers token resumes after.
func parseListToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), listTokenPrefix) {
		return "", errInvalidParam("Invalid pagination token")
	}
	return strings.TrimPrefix(string(b), listTokenPrefix), nil
}

// matcher returns f's test, or one that takes every user for no filter.
func (f *userFilter) matcher() func(*user) bool {
	if f == nil {
		return func(*user) bool { return true }
	}
	return f.match
}

// listUsersPage answers one ListUsers page: up to limit (at most 60) users
// that match, in username order, after the token's username.
func listUsersPage(p *pool, limit int32, token string, match func(*user) bool, wire func(*user) any) (map[string]any, error) {
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	names := p.usernames()
	start := 0
	if token != "" {
		after, err := parseListToken(token)
		if err != nil {
			return nil, err
		}
		start = sort.Search(len(names), func(i int) bool { return names[i] > after })
	}
	out := []any{}
	res := map[string]any{}
	last := ""
	for i := start; i < len(names); i++ {
		u := p.userAt(names[i])
		if u == nil || !match(u) {
			continue
		}
		if len(out) == int(limit) {
			res["PaginationToken"] = listToken(last)
			break
		}
		out = append(out, wire(u))
		last = names[i]
	}
	res["Users"] = out
	return res, nil
}
