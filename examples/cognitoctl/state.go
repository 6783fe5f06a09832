package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/store"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

func init() {
	register(&command{name: "state", summary: "export or import the emulator's -state file as readable JSON", run: runState})
}

const stateUsage = "usage: cognitoctl state export -state FILE [-o OUT]\n" +
	"       cognitoctl state import -state FILE [-in IN] [-force]\n" +
	"export writes the whole state as JSON (to stdout, or OUT); import replaces the state with such a document\n" +
	"(from stdin, or IN). Stop \"cognitoctl serve\" first: the file is locked while it runs.\n"

// runState dispatches "state export" and "state import".
func runState(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		stateHelp(env)
		return exitf(2, "")
	}
	switch args[0] {
	case "export":
		return runStateExport(env, args[1:])
	case "import":
		return runStateImport(env, args[1:])
	case "-h", "-help", "--help", "help":
		stateHelp(env)
		return nil
	}
	stateHelp(env)
	return exitf(2, "unknown subcommand %q: want export or import", args[0])
}

// stateHelp prints the usage of both subcommands with their flags.
func stateHelp(env *cliEnv) {
	fmt.Fprintf(env.stderr, "cognitoctl state: %s\n\n%s\nflags:\n", commands["state"].summary, stateUsage)
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.String("state", "", "the state file (both)")
	fs.String("o", "", "export: write to this file instead of stdout (mode 0600)")
	fs.String("in", "", "import: read the document from this file instead of stdin")
	fs.Bool("force", false, "import: replace a state file that already holds data")
	fs.PrintDefaults()
}

// stateImporters migrate each section of a JSON state file from before the
// database as "cognitoctl serve -state" does: the user pools entity by
// entity, the smaller sections as one value each.
func stateImporters() map[string]store.Importer {
	im := map[string]store.Importer{store.LegacyPoolsSection: userpool.ImportLegacy}
	for _, name := range []string{"identityPools", "apiGateway", "facebook"} {
		im[name] = emulator.SectionImporter(name)
	}
	return im
}

// openState opens the state file, turning the store's typed errors into
// one clear line.
func openState(path string, readOnly bool) (*store.Store, error) {
	st, err := store.Open(path, func(o *store.Options) { o.ReadOnly = readOnly; o.Importers = stateImporters() })
	switch {
	case err == nil:
		return st, nil
	case errors.Is(err, store.ErrLocked):
		return nil, exitf(1, "%s is in use by another process (is \"cognitoctl serve -state %s\" running?)", path, path)
	}
	return nil, exitf(1, "%v", err)
}

func runStateExport(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "state export", stateUsage)
	statePath := fs.String("state", "", "state file to export (a database, or a JSON state file from an older version)")
	out := fs.String("o", "", "write to this file instead of stdout (created with mode 0600: the state holds password verifiers)")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "state"); err != nil {
		return err
	}
	if _, err := os.Stat(*statePath); err != nil {
		return exitf(1, "%v", err)
	}
	st, err := openState(*statePath, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if *out == "" {
		return st.Export(env.stdout)
	}
	return writeFileAtomic(*out, st.Export)
}

func runStateImport(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "state import", stateUsage)
	statePath := fs.String("state", "", "state file to replace (created if missing)")
	in := fs.String("in", "", "read the document from this file instead of stdin")
	force := fs.Bool("force", false, "replace a state file that already holds data")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "state"); err != nil {
		return err
	}
	var r io.Reader = env.stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return exitf(1, "%v", err)
		}
		defer f.Close()
		r = f
	}
	st, err := openState(*statePath, false)
	if err != nil {
		return err
	}
	defer st.Close()
	empty, err := st.Empty()
	if err != nil {
		return exitf(1, "%v", err)
	}
	if !empty && !*force {
		return exitf(1, "%s already holds state; pass -force to replace it (export it first to keep a copy)", *statePath)
	}
	if err := st.Import(r); err != nil {
		return exitf(1, "%v", err)
	}
	if err := st.Close(); err != nil {
		return exitf(1, "%v", err)
	}
	fmt.Fprintf(env.stderr, "imported into %s\n", *statePath)
	return nil
}

// writeFileAtomic writes what write produces to path (mode 0600) through a
// temporary file in the same directory, so a failed export leaves no
// partial file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return exitf(1, "%v", err)
	}
	name := tmp.Name()
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
		return exitf(1, "%v", err)
	}
	return nil
}
