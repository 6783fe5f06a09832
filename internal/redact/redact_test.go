package redact

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

type plain struct{ Secret string }

type formatted struct{ Secret string }

func (f formatted) Format(st fmt.State, _ rune) {
	Format(st, "formatted{Secret: "+Secret(f.Secret)+"}")
}

func TestLeaks(t *testing.T) {
	const sec = "SECRET-abc"
	// A struct without Format leaks with every verb, hex included.
	leaks := Leaks(plain{sec}, sec)
	assert.Len(t, leaks, len(Verbs))
	assert.Contains(t, leaks, "%x: {5345435245542d616263}")
	assert.Contains(t, leaks, "%X: {5345435245542D616263}")
	// One with Format leaks with none, as value or pointer.
	assert.Empty(t, Leaks(formatted{sec}, sec))
	assert.Empty(t, Leaks(&formatted{sec}, sec))
	assert.Equal(t, "formatted{Secret: [redacted]}", fmt.Sprintf("%#v", formatted{sec}))
	assert.Equal(t, "formatted{Secret: none}", fmt.Sprintf("%d", formatted{}))
	// Empty secrets are not searched for.
	assert.Empty(t, Leaks(plain{"x"}, ""))
}
