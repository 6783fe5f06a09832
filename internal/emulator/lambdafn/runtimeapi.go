package lambdafn

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Lambda Runtime API, version 2018-06-01, as documented in "Using the
// Lambda runtime API for custom runtimes" (docs.aws.amazon.com/lambda/
// latest/dg/runtimes-api.html) and as aws-lambda-go's
// lambda/runtime_api_client.go calls it.
const (
	runtimePrefix         = "/2018-06-01/runtime/"
	hdrRequestID          = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadlineMS         = "Lambda-Runtime-Deadline-Ms"
	hdrInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID            = "Lambda-Runtime-Trace-Id"
	hdrErrorType          = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody          = "Lambda-Runtime-Function-Error-Body"
	defaultMemoryMB       = 128
)

// program is a compiled Lambda run as a child process behind a Runtime
// API served for it. One invocation runs at a time; others queue.
type program struct {
	arn  string
	a    ARN
	path string
	opts Options

	sem     chan struct{} // holds the one running invocation
	closeCh chan struct{}

	mu     sync.Mutex
	proc   *process // the current process, nil before the first start
	closed bool
}

// process is one run of the program, with its own Runtime API listener,
// so a dead process's requests can never reach its successor.
type process struct {
	cmd     *exec.Cmd
	srv     *http.Server
	addr    string
	pending chan *invocation
	exited  chan struct{}
	waitErr error // set before exited is closed

	mu      sync.Mutex
	current *invocation    // handed out by /next, not yet answered
	initErr *FunctionError // posted to /init/error
}

type invocation struct {
	id       string
	arn      string
	payload  []byte
	deadline time.Time
	result   chan handlerResult // buffered 1; the first answer wins
}

func (inv *invocation) deliver(res handlerResult) {
	select {
	case inv.result <- res:
	default:
	}
}

var _ Function = (*program)(nil)

// RegisterProgram registers arn as the compiled Lambda program at path (a
// `bootstrap` built for the provided.al2023 runtime, e.g. with
// aws-lambda-go). The program is started on the first invocation with
// AWS_LAMBDA_RUNTIME_API and Lambda's usual environment, keeps running
// between invocations, is restarted if it exits, is killed when an
// invocation times out (as Lambda resets a timed-out sandbox), and is
// stopped by Close. Its environment is Lambda's, not the emulator's: no
// host credentials or settings leak into it; pass what it needs
// (AWS_ENDPOINT_URL, keys for the emulator) in Options.Env. Its output
// goes to Options.Output.
func (r *Registry) RegisterProgram(arn, path string) error {
	a, err := ParseARN(arn)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%w: program %q: %v", ErrInvalidSpec, path, err)
	}
	if err := checkExecutable(abs); err != nil {
		return err
	}
	p := &program{arn: arn, a: a, path: abs, opts: r.opts, sem: make(chan struct{}, 1), closeCh: make(chan struct{})}
	return r.Register(arn, p)
}

func (p *program) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closeCh:
		return nil, ErrClosed
	}
	defer func() { <-p.sem }()

	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(p.opts.Timeout)
	}
	inv := &invocation{id: newRequestID(), arn: p.arn, payload: payload, deadline: deadline, result: make(chan handlerResult, 1)}
	// A process that exits before taking the invocation (a runtime
	// exits after reporting a panic) is replaced once, as Lambda gives
	// the next invocation a fresh environment.
	var proc *process
	for attempt := 0; proc == nil; attempt++ {
		cand, err := p.running()
		if err != nil {
			return nil, err
		}
		select {
		case cand.pending <- inv:
			proc = cand
		case <-cand.exited:
			if attempt > 0 {
				return nil, cand.exitError(inv)
			}
		case <-ctx.Done():
			cand.kill() // it never asked for work in time: reset it
			return nil, ctx.Err()
		}
	}
	defer proc.finish(inv)
	select {
	case res := <-inv.result:
		return res.out, res.err
	case <-proc.exited:
		select {
		case res := <-inv.result:
			return res.out, res.err
		case <-p.closeCh:
			return nil, ErrClosed
		default:
		}
		return nil, proc.exitError(inv)
	case <-ctx.Done():
		proc.kill()
		return nil, ctx.Err()
	}
}

// running returns the live process, starting one if there is none.
func (p *program) running() (*process, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	if p.proc != nil {
		select {
		case <-p.proc.exited:
		default:
			return p.proc, nil
		}
	}
	proc, err := p.start()
	if err != nil {
		return nil, &InvokeError{ARN: p.arn, Err: err}
	}
	p.proc = proc
	return proc, nil
}

func (p *program) start() (*process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	proc := &process{addr: ln.Addr().String(), pending: make(chan *invocation), exited: make(chan struct{})}
	proc.srv = &http.Server{Handler: proc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = proc.srv.Serve(newPeerListener(ln)) }()

	cmd := exec.Command(p.path)
	cmd.Dir = filepath.Dir(p.path)
	cmd.Env = append(p.environ(proc.addr), p.opts.Env...)
	cmd.Stdout = p.opts.Output
	cmd.Stderr = p.opts.Output
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		_ = proc.srv.Close()
		return nil, fmt.Errorf("starting %s: %w", p.path, err)
	}
	proc.cmd = cmd
	go func() {
		proc.waitErr = cmd.Wait()
		_ = proc.srv.Close()
		close(proc.exited)
	}()
	return proc, nil
}

// environ is the environment Lambda gives a provided.al2023 function
// ("Defined runtime environment variables" in the Lambda developer guide).
func (p *program) environ(addr string) []string {
	region := p.opts.Region
	if region == "" {
		region = p.a.Region
	}
	version := "$LATEST"
	if _, err := strconv.Atoi(p.a.Qualifier); err == nil {
		version = p.a.Qualifier
	}
	timeout := int(math.Ceil(p.opts.Timeout.Seconds()))
	var stream [16]byte
	_, _ = rand.Read(stream[:])
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + p.a.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=" + version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(defaultMemoryMB),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(timeout),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + p.a.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(stream[:]),
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"_HANDLER=" + filepath.Base(p.path),
		"LAMBDA_TASK_ROOT=" + filepath.Dir(p.path),
		"LAMBDA_RUNTIME_DIR=" + filepath.Dir(p.path),
		"PATH=/usr/local/bin:/usr/bin:/bin:/opt/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"TMPDIR=" + os.TempDir(),
	}
}

// Close stops the program's process.
func (p *program) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.closeCh)
	proc := p.proc
	p.mu.Unlock()
	if proc != nil {
		proc.kill()
	}
	return nil
}

func (proc *process) kill() {
	if proc.cmd != nil && proc.cmd.Process != nil {
		_ = proc.cmd.Process.Kill()
	}
	<-proc.exited
}

func (proc *process) finish(inv *invocation) {
	proc.mu.Lock()
	if proc.current == inv {
		proc.current = nil
	}
	proc.mu.Unlock()
}

// exitError is what Lambda reports when the runtime dies mid-invocation:
// the init error it posted, or a Runtime.ExitError.
func (proc *process) exitError(inv *invocation) error {
	proc.mu.Lock()
	initErr := proc.initErr
	proc.mu.Unlock()
	if initErr != nil {
		return initErr
	}
	reason := "Runtime exited without providing a reason"
	if proc.waitErr != nil {
		reason = "Runtime exited with error: " + proc.waitErr.Error()
	}
	return &FunctionError{ARN: inv.arn, Type: "Runtime.ExitError", Message: "RequestId: " + inv.id + " Error: " + reason}
}

// ServeHTTP is the Runtime API.
func (proc *process) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, runtimePrefix)
	if !ok {
		writeRuntimeError(w, http.StatusNotFound, "NotFound", "unknown path")
		return
	}
	switch {
	case rest == "invocation/next":
		if r.Method != http.MethodGet {
			writeRuntimeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
			return
		}
		proc.next(w, r)
	case rest == "init/error":
		if r.Method != http.MethodPost {
			writeRuntimeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST")
			return
		}
		proc.initError(w, r)
	case strings.HasPrefix(rest, "invocation/"):
		id, action, _ := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
		if r.Method != http.MethodPost || (action != "response" && action != "error") {
			writeRuntimeError(w, http.StatusNotFound, "NotFound", "unknown path")
			return
		}
		proc.answer(w, r, id, action == "error")
	default:
		writeRuntimeError(w, http.StatusNotFound, "NotFound", "unknown path")
	}
}

func (proc *process) next(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-proc.pending:
	case <-r.Context().Done():
		return
	}
	proc.mu.Lock()
	proc.current = inv
	proc.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(hdrRequestID, inv.id)
	h.Set(hdrDeadlineMS, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(hdrInvokedFunctionARN, inv.arn)
	h.Set(hdrTraceID, newTraceID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// answer handles /invocation/{id}/response and /invocation/{id}/error.
func (proc *process) answer(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	proc.mu.Lock()
	inv := proc.current
	if inv == nil || inv.id != id {
		proc.mu.Unlock()
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	proc.current = nil
	proc.mu.Unlock()

	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	switch {
	case err != nil:
		inv.deliver(handlerResult{err: &ResponseError{ARN: inv.arn, Err: fmt.Errorf("reading response: %w", err)}})
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "could not read the body")
		return
	case len(body) > maxResponse:
		inv.deliver(handlerResult{err: &ResponseError{ARN: inv.arn, Err: errors.New("response exceeds 6 MB")}})
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", maxResponse))
		return
	}
	switch {
	case isError:
		inv.deliver(handlerResult{err: parseFunctionError(inv.arn, body, headerOr(r.Header, hdrErrorType, "Unhandled"))})
	case r.Trailer.Get(hdrErrorType) != "":
		// aws-lambda-go reports an error met while streaming the
		// response in trailers; Lambda turns it into a function error.
		errBody, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
		inv.deliver(handlerResult{err: parseFunctionError(inv.arn, errBody, r.Trailer.Get(hdrErrorType))})
	default:
		inv.deliver(handlerResult{out: body})
	}
	writeAccepted(w)
}

func (proc *process) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	proc.mu.Lock()
	arn := ""
	if proc.current != nil {
		arn = proc.current.arn
	}
	fe := parseFunctionError(arn, body, headerOr(r.Header, hdrErrorType, "Runtime.InitError"))
	proc.initErr = fe
	inv := proc.current
	proc.current = nil
	proc.mu.Unlock()
	if inv != nil {
		inv.deliver(handlerResult{err: fe})
	}
	writeAccepted(w)
}

func headerOr(h http.Header, key, def string) string {
	if v := h.Get(key); v != "" {
		return v
	}
	return def
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeRuntimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

// newTraceID is an X-Ray trace header: Root=1-{epoch hex}-{96-bit id}.
func newTraceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var parent [8]byte
	_, _ = rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", time.Now().Unix(), b, parent)
}
