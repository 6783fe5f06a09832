package srp

import (
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary server input to every parser and to both halves
// of the protocol: nothing may panic, and every failure must wrap one of the
// package's sentinel errors.
func FuzzParse(f *testing.F) {
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	f.Add("499602d2", "499602d2", block, "tdvQu/Li/qWl8Nni0aFPs+MwY4rvKZm0kSMrGIMSUHk=")
	f.Add("-12c", "d1c1181916afc59efe7eb71674d627c", block, "AAAA")
	f.Add("0", "-", "!!", "")
	f.Add("", "00", "", "=")
	f.Add(N().Text(16), "abc", "AA==", "AA==")
	f.Fuzz(func(t *testing.T, b, salt, secretBlock, sig string) {
		known := func(err error) {
			if err == nil {
				return
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadPublicValue) && !errors.Is(err, ErrBadScrambler) && !errors.Is(err, ErrProofMismatch) {
				t.Fatalf("untyped error: %v", err)
			}
		}
		if v, err := ParseInt(b); err == nil {
			if back, err := ParseInt(v.Text(16)); err != nil || back.Cmp(v) != 0 {
				t.Fatalf("ParseInt(%q) does not round-trip", b)
			}
			// padHex must decode back to the same signed integer.
			raw := padBytes(v)
			if got, err := ParseBase64Int(base64.StdEncoding.EncodeToString(raw)); err != nil || got.Cmp(v) != 0 {
				t.Fatalf("padHex(%s) = %x does not decode back", v.Text(16), raw)
			}
		} else {
			known(err)
		}
		_, err := ParseBase64Int(sig)
		known(err)
		_, err = ParseTimestamp(sig)
		known(err)

		c := newClientFromPrivate(big.NewInt(0x499602d2))
		_, _, err = c.PasswordClaim("pool", "user", "pw", b, salt, secretBlock, time.Unix(0, 0))
		known(err)
		srv, err := RestoreServer(big.NewInt(0x1234567), big.NewInt(0x89abcdef))
		if err != nil {
			t.Fatal(err)
		}
		known(srv.VerifyClaim("pool", "user", b, big.NewInt(1), secretBlock, salt, sig))
		// A stored B (here whatever the input parses to) is range-checked.
		if B, err := ParseInt(salt); err == nil {
			srvB, err := RestoreServerWithB(big.NewInt(0x1234567), big.NewInt(0x89abcdef), B)
			known(err)
			if err == nil {
				known(srvB.VerifyClaim("pool", "user", b, big.NewInt(1), secretBlock, salt, sig))
			}
		}
	})
}
