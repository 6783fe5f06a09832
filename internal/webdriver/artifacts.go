package webdriver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// artifactsDir returns the directory artifacts go to, creating it (and
// logging its path) the first time.
func (b *Browser) artifactsDir() (string, error) {
	b.t.Helper()
	s := b.s
	s.artMu.Lock()
	defer s.artMu.Unlock()
	if s.artDir != "" {
		return s.artDir, nil
	}
	dir := s.opts.ArtifactsDir
	var err error
	switch {
	case dir != "":
		err = os.MkdirAll(dir, 0o755)
	case os.Getenv(EnvArtifacts) != "":
		dir = filepath.Join(os.Getenv(EnvArtifacts), sanitize(s.testName))
		err = os.MkdirAll(dir, 0o755)
	default:
		dir, err = os.MkdirTemp("", "cognitokit-artifacts-"+sanitize(s.testName)+"-")
	}
	if err != nil {
		return "", fmt.Errorf("webdriver: artifacts directory: %w", err)
	}
	s.artDir = dir
	b.t.Logf("webdriver: browser artifacts go to %s", dir)
	return dir, nil
}

// TrySaveArtifacts saves a PNG screenshot, the page source and the
// current URL and title as <n>-<name>.png, .html and .txt in the
// artifacts directory (Options.ArtifactsDir, $COGNITOKIT_ARTIFACTS/<test>,
// or a kept temporary directory), and returns that directory. n numbers
// the saves of one session in order.
func (b *Browser) TrySaveArtifacts(name string) (string, error) {
	b.t.Helper()
	return b.saveArtifacts(name, b.s.cmd)
}

// SaveArtifacts is TrySaveArtifacts that fails the test on error.
func (b *Browser) SaveArtifacts(name string) string {
	b.t.Helper()
	dir, err := b.TrySaveArtifacts(name)
	if err != nil {
		b.fail(err)
	}
	return dir
}

func (b *Browser) saveArtifacts(name string, cmd func(method, rel string, body, out any) error) (string, error) {
	b.t.Helper()
	dir, err := b.artifactsDir()
	if err != nil {
		return "", err
	}
	b.s.artMu.Lock()
	b.s.artCount++
	base := filepath.Join(dir, fmt.Sprintf("%02d-%s", b.s.artCount, sanitize(name)))
	b.s.artMu.Unlock()

	var errs []string
	var u, title, src string
	if err := cmd("GET", "/url", nil, &u); err != nil {
		errs = append(errs, err.Error())
	}
	if err := cmd("GET", "/title", nil, &title); err != nil {
		errs = append(errs, err.Error())
	}
	info := fmt.Sprintf("test: %s\nurl: %s\ntitle: %s\n", b.t.Name(), u, title)
	if err := writeFile(base+".txt", []byte(info)); err != nil {
		return dir, err
	}
	if err := cmd("GET", "/source", nil, &src); err != nil {
		errs = append(errs, err.Error())
	} else if err := writeFile(base+".html", []byte(src)); err != nil {
		return dir, err
	}
	if png, err := b.screenshot(cmd); err != nil {
		errs = append(errs, err.Error())
	} else if err := writeFile(base+".png", png); err != nil {
		return dir, err
	}
	if len(errs) > 0 {
		return dir, fmt.Errorf("webdriver: saving artifacts %s: %s", base, strings.Join(errs, "; "))
	}
	return dir, nil
}

// saveOnFailure registers a cleanup on t that saves artifacts when t has
// failed. Registered after the session's own cleanup, it runs before it.
func (b *Browser) saveOnFailure(t testing.TB, name string) {
	t.Cleanup(func() {
		if !t.Failed() || b.s.closed.Load() {
			return
		}
		fb := &Browser{t: t, s: b.s, timeout: b.timeout}
		dir, err := fb.saveArtifacts(name+"-"+t.Name(), b.s.diagCmd)
		if err != nil {
			t.Logf("webdriver: test failed; %v", err)
			return
		}
		t.Logf("webdriver: test failed; screenshot and page source saved in %s", dir)
	})
}
