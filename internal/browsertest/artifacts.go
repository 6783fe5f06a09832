package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// artifactsTimeout bounds the browser calls of one save, so that a hung
// page cannot stall a failing test for long.
const artifactsTimeout = 10 * time.Second

// artifactsDir returns the directory artifacts go to, creating it (and
// logging its path) the first time.
func (b *Browser) artifactsDir() (string, error) {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.artDir != "" {
		return s.artDir, nil
	}
	dir := s.artOpt
	var err error
	switch {
	case dir != "":
		err = os.MkdirAll(dir, 0o755)
	case os.Getenv(EnvArtifacts) != "":
		dir = filepath.Join(os.Getenv(EnvArtifacts), sanitize(s.t.Name()))
		err = os.MkdirAll(dir, 0o755)
	default:
		dir, err = os.MkdirTemp("", "cognitokit-artifacts-"+sanitize(s.t.Name())+"-")
	}
	if err != nil {
		return "", fmt.Errorf("browsertest: artifacts directory: %w", err)
	}
	s.artDir = dir
	s.t.Logf("browsertest: browser artifacts go to %s", dir)
	return dir, nil
}

// TrySaveArtifacts saves a PNG screenshot of the page, its HTML, and its
// URL and title as NN-<name>.png, .html and .txt in the artifacts
// directory (Options.ArtifactsDir, $COGNITOKIT_ARTIFACTS/<test name>, or a
// kept temporary directory), and returns that directory. NN numbers the
// saves of one browser in order. It saves what it can and reports the rest.
func (b *Browser) TrySaveArtifacts(name string) (string, error) {
	dir, err := b.artifactsDir()
	if err != nil {
		return "", err
	}
	b.s.mu.Lock()
	b.s.artCount++
	base := filepath.Join(dir, fmt.Sprintf("%02d-%s", b.s.artCount, sanitize(name)))
	b.s.mu.Unlock()

	ctx, cancel := context.WithTimeout(b.ctx, artifactsTimeout)
	defer cancel()
	var errs []error
	u, err := chromedp.Run(ctx, chromedp.Location())
	errs = append(errs, err)
	title, err := chromedp.Run(ctx, chromedp.Title())
	errs = append(errs, err)
	errs = append(errs, os.WriteFile(base+".txt", fmt.Appendf(nil, "test: %s\nurl: %s\ntitle: %s\n", b.t.Name(), u, title), 0o644))
	if html, err := chromedp.Run(ctx, pageHTML); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, os.WriteFile(base+".html", []byte(html), 0o644))
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, os.WriteFile(base+".png", png, 0o644))
	}
	if err := errors.Join(errs...); err != nil {
		return dir, fmt.Errorf("browsertest: saving artifacts %s: %w", base, err)
	}
	return dir, nil
}

// SaveArtifacts is TrySaveArtifacts that fails the test on error.
func (b *Browser) SaveArtifacts(name string) string {
	b.t.Helper()
	dir, err := b.TrySaveArtifacts(name)
	if err != nil {
		b.t.Fatalf("%v", err)
	}
	return dir
}

// saveOnFailure saves artifacts named after t when t has failed; it runs
// as a cleanup of t, before the browser closes.
func (b *Browser) saveOnFailure(t testing.TB) {
	if !t.Failed() {
		return
	}
	dir, err := b.TrySaveArtifacts("failure-" + t.Name())
	if err != nil {
		t.Logf("browsertest: test failed; %v", err)
		return
	}
	t.Logf("browsertest: test failed; screenshot and page source saved in %s", dir)
}

// sanitize makes name safe as one path element.
func sanitize(name string) string {
	var sb strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	s := strings.Trim(sb.String(), "._")
	if s == "" {
		s = "test"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}
