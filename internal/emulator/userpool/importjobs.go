package userpool

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// User import jobs (GetCSVHeader, CreateUserImportJob, DescribeUserImportJob,
// ListUserImportJobs, StartUserImportJob, StopUserImportJob), as Cognito
// runs them (its developer guide, "Importing users into user pools from a
// CSV file"): a job is Created with a pre-signed URL, valid 15 minutes,
// that takes the CSV file by HTTP PUT (the emulator serves it, as S3 does
// for Cognito); once started it is Pending, then InProgress while a
// background run imports the rows in chunks, and ends Succeeded, Failed or
// — after StopUserImportJob — Stopped. A job not started within a day
// expires. The file must have every column of GetCSVHeader; a row whose
// user exists is skipped, one that breaks the rules fails. Imported users
// are RESET_REQUIRED with no usable password: they set one with
// ForgotPassword and ConfirmForgotPassword.

// Import job statuses.
const (
	jobCreated    = "Created"
	jobPending    = "Pending"
	jobInProgress = "InProgress"
	jobStopping   = "Stopping"
	jobStopped    = "Stopped"
	jobExpired    = "Expired"
	jobFailed     = "Failed"
	jobSucceeded  = "Succeeded"
)

const (
	// MaxImportCSVBytes is the largest CSV file the emulator takes for an
	// import job (Cognito's limit is 100 MB; the emulator keeps the file
	// in its state until the job ends).
	MaxImportCSVBytes = 16 << 20
	// importJobTTL is how long a job may wait in Created before it
	// expires, as Cognito's jobs do.
	importJobTTL = 24 * time.Hour
	// importURLTTL is how long the pre-signed URL takes uploads.
	importURLTTL = 15 * time.Minute
	// maxImportRows and maxImportRowBytes are Cognito's limits on the
	// rows of a file and on the length of one.
	maxImportRows     = 500000
	maxImportRowBytes = 16000
	// importChunk is how many rows a run imports per hold of the lock
	// (about 10 µs a row, BenchmarkUserImport) and per save of the state.
	importChunk = 1000
	// importPath is where the pre-signed URLs point.
	importPath = "/user-import/"
)

// importJob is one UserImportJobType and its upload.
type importJob struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	RoleArn   string    `json:"roleArn"`
	Token     string    `json:"token"` // the pre-signed URL's secret
	Status    string    `json:"status"`
	Created   time.Time `json:"created"`
	Started   time.Time `json:"started,omitempty"`
	Completed time.Time `json:"completed,omitempty"`
	Imported  int64     `json:"imported"`
	Skipped   int64     `json:"skipped"`
	Failed    int64     `json:"failed"`
	Message   string    `json:"message,omitempty"`
	// CSV is the uploaded file, kept until the job ends; Uploaded says
	// one was; Next is the number of rows the run has handled (a run
	// interrupted by a restart resumes there).
	CSV      string `json:"csv,omitempty"`
	Uploaded bool   `json:"uploaded,omitempty"`
	Next     int    `json:"next,omitempty"`

	running bool // a run is under way (not saved: none survives a restart)
}

// status is the job's status at now: a job left Created too long is
// Expired.
func (j *importJob) status(now time.Time) string {
	if j.Status == jobCreated && now.Sub(j.Created) > importJobTTL {
		return jobExpired
	}
	return j.Status
}

type importInput struct {
	UserPoolId            string `json:"UserPoolId"`
	JobId                 string `json:"JobId"`
	JobName               string `json:"JobName"`
	CloudWatchLogsRoleArn string `json:"CloudWatchLogsRoleArn"`
	MaxResults            int32  `json:"MaxResults"`
	PaginationToken       string `json:"PaginationToken"`
}

func (in *importInput) poolID() string { return in.UserPoolId }

func (s *Server) jobWire(p *pool, j *importJob, now time.Time) map[string]any {
	m := map[string]any{"JobName": j.Name, "JobId": j.ID, "UserPoolId": p.ID,
		"PreSignedUrl": s.urlLocked() + importPath + j.Token, "CreationDate": ep(j.Created),
		"Status": j.status(now), "CloudWatchLogsRoleArn": j.RoleArn,
		"ImportedUsers": j.Imported, "SkippedUsers": j.Skipped, "FailedUsers": j.Failed}
	if !j.Started.IsZero() {
		m["StartDate"] = ep(j.Started)
	}
	if !j.Completed.IsZero() {
		m["CompletionDate"] = ep(j.Completed)
	}
	if j.Message != "" {
		m["CompletionMessage"] = j.Message
	}
	return m
}

// job returns the job with ID id (a pointer into the pool's list, valid
// while s.mu is held and the list does not grow), or nil.
func (p *pool) job(id string) *importJob {
	if p.Extras == nil {
		return nil
	}
	for i := range p.Extras.ImportJobs {
		if p.Extras.ImportJobs[i].ID == id {
			return &p.Extras.ImportJobs[i]
		}
	}
	return nil
}

// poolJob decodes an input naming a pool and a job and finds both.
func (s *Server) poolJob(c *call, in *importInput) (*pool, *importJob, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	s.resumeImports(p)
	j := p.job(in.JobId)
	if j == nil {
		return nil, nil, errorf("ResourceNotFoundException", "Import job %s does not exist in user pool %s.", in.JobId, p.ID)
	}
	return p, j, nil
}

// csvHeader is the pool's import columns, as GetCSVHeader lists them: the
// standard attributes (sub aside) and custom ones in schema order, then
// cognito:mfa_enabled and cognito:username.
func (p *pool) csvHeader() []string {
	out := make([]string, 0, len(p.Schema)+2)
	for _, a := range p.Schema {
		if a.Name != "sub" {
			out = append(out, a.Name)
		}
	}
	return append(out, "cognito:mfa_enabled", "cognito:username")
}

func opGetCSVHeader(s *Server, c *call) (any, error) {
	var in poolIDInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolId": p.ID, "CSVHeader": p.csvHeader()}, nil
}

func opCreateUserImportJob(s *Server, c *call) (any, error) {
	var in importInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if arnService(in.CloudWatchLogsRoleArn) != "iam" || !strings.Contains(in.CloudWatchLogsRoleArn, ":role/") {
		return nil, errInvalidParam("CloudWatchLogsRoleArn must be the ARN of an IAM role.")
	}
	j := importJob{ID: "import-" + s.randString(10, alnum), Name: in.JobName, RoleArn: in.CloudWatchLogsRoleArn,
		Token: s.randString(43, alnum), Status: jobCreated, Created: c.now}
	p.ext().ImportJobs = append(p.ext().ImportJobs, j)
	return map[string]any{"UserImportJob": s.jobWire(p, &j, c.now)}, nil
}

func opDescribeUserImportJob(s *Server, c *call) (any, error) {
	var in importInput
	p, j, err := s.poolJob(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": s.jobWire(p, j, c.now)}, nil
}

func opListUserImportJobs(s *Server, c *call) (any, error) {
	var in importInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	s.resumeImports(p)
	var jobs []*importJob // the last created first, as Cognito lists them
	if p.Extras != nil {
		for i := len(p.Extras.ImportJobs) - 1; i >= 0; i-- {
			jobs = append(jobs, &p.Extras.ImportJobs[i])
		}
	}
	out, err := listPage(jobs, in.MaxResults, in.PaginationToken, "UserImportJobs", "PaginationToken", func(j *importJob) any {
		return s.jobWire(p, j, c.now)
	})
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		delete(out, "UserImportJobs") // the list's minimum length is 1
	}
	return out, nil
}

func opStartUserImportJob(s *Server, c *call) (any, error) {
	var in importInput
	p, j, err := s.poolJob(c, &in)
	if err != nil {
		return nil, err
	}
	if st := j.status(c.now); st != jobCreated { // an expired one was swept by poolJob
		return nil, errorf("PreconditionNotMetException", "Import job %s cannot be started: its status is %s.", j.ID, st)
	}
	if len(p.AutoVerifiedAttributes) == 0 {
		return nil, errorf("PreconditionNotMetException", "The user pool has no auto-verified attributes (email or phone_number): the import job cannot start.")
	}
	j.Status, j.Started = jobPending, c.now
	s.startRun(p, j)
	return map[string]any{"UserImportJob": s.jobWire(p, j, c.now)}, nil
}

func opStopUserImportJob(s *Server, c *call) (any, error) {
	var in importInput
	p, j, err := s.poolJob(c, &in)
	if err != nil {
		return nil, err
	}
	if j.Status != jobPending && j.Status != jobInProgress {
		return nil, errorf("PreconditionNotMetException", "Import job %s cannot be stopped: its status is %s.", j.ID, j.status(c.now))
	}
	j.Status = jobStopping
	return map[string]any{"UserImportJob": s.jobWire(p, j, c.now)}, nil
}

// ---------------------------------------------------------------------------
// The upload.

// serveImportUpload takes the CSV file of a job by PUT at its pre-signed
// URL, answering in S3's manner (XML errors).
func serveImportUpload(s *Server, w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxImportCSVBytes+1))
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
		return
	}
	if len(body) > MaxImportCSVBytes {
		writeS3Error(w, http.StatusBadRequest, "EntityTooLarge", fmt.Sprintf("Your proposed upload exceeds the maximum allowed size (%d bytes).", MaxImportCSVBytes))
		return
	}
	l := s.lock()
	defer l.release()
	j := s.jobByToken(token)
	if j == nil {
		l.unlock()
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired or the signature does not match.")
		return
	}
	if st := j.status(s.now()); st != jobCreated {
		l.unlock()
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "The import job takes no more uploads: its status is "+st+".")
		return
	}
	if s.now().Sub(j.Created) > importURLTTL {
		l.unlock()
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	j.CSV, j.Uploaded = string(body), true
	if err := l.save(); err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", "The upload could not be stored.")
		return
	}
	w.Header().Set("ETag", fmt.Sprintf("%q", hashToken(string(body))[:32]))
	w.WriteHeader(http.StatusOK)
}

// jobByToken finds the job whose pre-signed URL carries token, comparing
// every token in constant time.
func (s *Server) jobByToken(token string) *importJob {
	var found *importJob
	for _, id := range sortedKeys(s.st.Pools) {
		p := s.st.Pools[id]
		if p.Extras == nil {
			continue
		}
		for i := range p.Extras.ImportJobs {
			if j := &p.Extras.ImportJobs[i]; ctEqual(j.Token, token) && token != "" {
				found = j
			}
		}
	}
	return found
}

func writeS3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, xmlEscape(msg))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// ---------------------------------------------------------------------------
// The run.

// testImportStart, set by tests only, runs at the start of every run,
// before it takes the lock.
var testImportStart func()

// expireImports ends each job of p left Created past importJobTTL at
// now: it is Expired and its file is dropped (from memory, and from the
// store at the next save), as Cognito deletes an expired job's data.
func (p *pool) expireImports(now time.Time) {
	if p.Extras == nil {
		return
	}
	for i := range p.Extras.ImportJobs {
		if j := &p.Extras.ImportJobs[i]; j.Status == jobCreated && j.status(now) == jobExpired {
			j.Status, j.CSV = jobExpired, ""
		}
	}
}

// resumeImports expires the jobs of p whose time is up and starts a run
// for each job that should be running but is not (its run was cut short
// by a restart).
func (s *Server) resumeImports(p *pool) {
	if p.Extras == nil {
		return
	}
	p.expireImports(s.now())
	for i := range p.Extras.ImportJobs {
		j := &p.Extras.ImportJobs[i]
		if !j.running && (j.Status == jobPending || j.Status == jobInProgress || j.Status == jobStopping) {
			s.startRun(p, j)
		}
	}
}

// startRun runs j's import in the background; s.mu is held.
func (s *Server) startRun(p *pool, j *importJob) {
	j.running = true
	poolID, jobID, hook := p.ID, j.ID, testImportStart
	go s.runImport(poolID, jobID, hook)
}

// runImport imports a job's rows, a chunk per hold of s.mu, saving the
// state after each, until the job ends or is stopped.
func (s *Server) runImport(poolID, jobID string, hook func()) {
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	p, j := s.runningJob(poolID, jobID)
	if j == nil {
		s.mu.Unlock()
		return
	}
	text := j.CSV
	s.mu.Unlock()
	header, rows, herr := parseImportCSV(text)
	for {
		s.mu.Lock()
		p, j = s.runningJob(poolID, jobID)
		done := j == nil
		if !done {
			done = s.importChunk(p, j, header, rows, herr)
			if done {
				j.running, j.CSV = false, ""
			}
		}
		s.mu.Unlock()
		s.host.PersistOrLog()
		if done {
			return
		}
	}
}

// runningJob finds a job again after s.mu was released: nil when the pool
// or the job is gone, or no longer marked running (a restore replaced it;
// resumeImports starts a new run for it).
func (s *Server) runningJob(poolID, jobID string) (*pool, *importJob) {
	p := s.st.Pools[poolID]
	if p == nil {
		return nil, nil
	}
	if j := p.job(jobID); j != nil && j.running {
		return p, j
	}
	return p, nil
}

// importChunk moves j on by one step (s.mu held): a stop ends it, a bad
// file fails it, otherwise up to importChunk rows are imported. It reports
// whether the job has ended.
func (s *Server) importChunk(p *pool, j *importJob, header []string, rows []importRow, herr error) bool {
	now := s.now()
	end := func(status, msg string) bool {
		j.Status, j.Message, j.Completed = status, msg, now
		return true
	}
	switch {
	case j.Status == jobStopping:
		j.Skipped += int64(len(rows) - min(j.Next, len(rows)))
		j.Next = len(rows)
		return end(jobStopped, "The Import Job was stopped by the developer.")
	case j.Status != jobPending && j.Status != jobInProgress:
		return true
	case !j.Uploaded:
		return end(jobFailed, "No CSV file was uploaded to the job's pre-signed URL.")
	case herr != nil:
		return end(jobFailed, herr.Error())
	}
	if j.Status == jobPending {
		if err := p.checkImportHeader(header); err != nil {
			return end(jobFailed, err.Error())
		}
		j.Status = jobInProgress
		return false // InProgress is seen before the first users arrive
	}
	stop := min(j.Next+importChunk, len(rows))
	for ; j.Next < stop; j.Next++ {
		// Cognito logs each line by number only: no user data.
		switch err := s.importRow(p, header, rows[j.Next], now); {
		case errors.Is(err, errUserExists):
			j.Skipped++
			s.logf("cognitotest: import job %s: [SKIPPED] Line Number %d - The user already exists.", j.ID, rows[j.Next].line)
		case err != nil:
			j.Failed++
			s.logf("cognitotest: import job %s: [FAILED] Line Number %d - %s", j.ID, rows[j.Next].line, apiMessage(err))
		default:
			j.Imported++
		}
	}
	if j.Next < len(rows) {
		return false
	}
	if j.Imported == 0 && j.Failed+j.Skipped > 0 {
		return end(jobFailed, "Too many users have failed or been skipped during the import.")
	}
	return end(jobSucceeded, "Import Job Completed Successfully.")
}

// importRow is one line of the file: its fields, or why it cannot be read.
type importRow struct {
	line   int
	fields []string
	err    error
}

// parseImportCSV reads the header and the rows of a file; an error is
// about the file as a whole.
func parseImportCSV(text string) ([]string, []importRow, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("The CSV file is empty.")
	}
	if err != nil {
		return nil, nil, errors.New("The header of the CSV file cannot be read.")
	}
	var rows []importRow
	for guard := strings.Count(text, "\n") + 1; guard > 0; guard-- {
		start := r.InputOffset()
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line := 0
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.StartLine
		} else if len(rec) > 0 {
			line, _ = r.FieldPos(0)
		}
		if err == nil && r.InputOffset()-start > maxImportRowBytes+2 {
			err = errInvalidParam("The row is longer than %d characters.", maxImportRowBytes)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i]) // Cognito trims values
		}
		rows = append(rows, importRow{line: line, fields: rec, err: err})
		if len(rows) > maxImportRows {
			return nil, nil, fmt.Errorf("The CSV file has more than %d users.", maxImportRows)
		}
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	return header, rows, nil
}

// checkImportHeader refuses a header with a column the pool does not have,
// a column given twice, or without one of GetCSVHeader's columns (Cognito:
// "All columns in the header must be present").
func (p *pool) checkImportHeader(header []string) error {
	known := p.csvHeader()
	seen := map[string]bool{}
	for _, h := range header {
		if !slices.Contains(known, h) {
			return fmt.Errorf("The CSV header has a column that is not an attribute of the user pool: %s", h)
		}
		if seen[h] {
			return fmt.Errorf("The CSV header has the column %s twice.", h)
		}
		seen[h] = true
	}
	for _, need := range known {
		if !seen[need] {
			return fmt.Errorf("The CSV header lacks the column %s.", need)
		}
	}
	return nil
}

// csvBool reads a TRUE/FALSE cell (any case); empty is false.
func csvBool(col, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, errInvalidParam("%s must be TRUE or FALSE.", col)
}

var (
	birthdateRe = regexp.MustCompile(`^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$`)
	epochRe     = regexp.MustCompile(`^[0-9]{1,12}$`)
)

// checkImportedUser applies the rules Cognito's developer guide gives for
// a row beyond the schema: birthdate as mm/dd/yyyy, updated_at in epoch
// seconds, a verified attribute's value present, at least one
// auto-verified attribute verified (each of them when the pool has one),
// and cognito:mfa_enabled agreeing with the pool's MFA (blank: the pool's).
// It returns whether the user has MFA on.
func (p *pool) checkImportedUser(m map[string]string, mfaCell string) (bool, error) {
	if v := m["birthdate"]; v != "" && !birthdateRe.MatchString(v) {
		return false, errInvalidParam("birthdate must be in the format mm/dd/yyyy.")
	}
	if v := m["updated_at"]; v != "" && !epochRe.MatchString(v) {
		return false, errInvalidParam("updated_at must be epoch time in seconds.")
	}
	verified := 0
	for _, a := range []string{"email", "phone_number"} {
		if m[a+"_verified"] != "true" {
			continue
		}
		if m[a] == "" {
			return false, errInvalidParam("%s_verified is TRUE but %s is empty.", a, a)
		}
		if contains(p.AutoVerifiedAttributes, a) {
			verified++
		}
	}
	if verified == 0 || (len(p.AutoVerifiedAttributes) == 1 && verified != 1) {
		return false, errInvalidParam("The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).")
	}
	mfa, err := csvBool("cognito:mfa_enabled", mfaCell)
	if err != nil {
		return false, err
	}
	switch {
	case mfaCell == "":
		mfa = p.MFA == "ON"
	case p.MFA == "ON" && !mfa:
		return false, errInvalidParam("cognito:mfa_enabled must be TRUE or blank: the user pool requires MFA.")
	case p.MFA == "OFF" && mfa:
		return false, errInvalidParam("cognito:mfa_enabled must be FALSE or blank: MFA is off in the user pool.")
	}
	return mfa, nil
}

// importRow creates the user of one row as RESET_REQUIRED, with a random
// SRP verifier that no password matches.
func (s *Server) importRow(p *pool, header []string, row importRow, now time.Time) error {
	var ae *APIError
	if errors.As(row.err, &ae) {
		return ae
	}
	if row.err != nil {
		return errInvalidParam("The line cannot be read as CSV.")
	}
	if len(row.fields) != len(header) {
		return errInvalidParam("The line has %d fields; the header has %d.", len(row.fields), len(header))
	}
	var username, mfaCell string
	var attrs []attributeType
	for i, col := range header {
		v := row.fields[i]
		switch col {
		case "cognito:username":
			username = v
			continue
		case "cognito:mfa_enabled":
			mfaCell = v
			continue
		case "email_verified", "phone_number_verified":
			if v == "" {
				continue
			}
			b, err := csvBool(col, v)
			if err != nil {
				return err
			}
			v = fmt.Sprint(b)
		}
		if v != "" {
			attrs = append(attrs, attributeType{Name: col, Value: &v})
		}
	}
	if username == "" {
		return errInvalidParam("cognito:username is empty.")
	}
	m, err := checkAttrs(p, attrs, true)
	if err != nil {
		return err
	}
	for _, a := range p.requiredAttrs() {
		if m[a] == "" {
			return errInvalidParam("Attributes did not conform to the schema: %s: The attribute is required", a)
		}
	}
	mfa, err := p.checkImportedUser(m, mfaCell)
	if err != nil {
		return err
	}
	u, err := s.newUser(p, username, m, now)
	if err != nil {
		return err
	}
	salt, err := s.newSalt()
	if err != nil {
		return errorf("InternalErrorException", "cognitotest: salt: %v", err)
	}
	u.Salt, u.Verifier = salt.Text(16), new(big.Int).SetBytes(s.randBytes(384)).Text(16)
	// MFA on: SMS when the user has a phone number; without one the user
	// must set a factor up (Cognito imports such users too).
	u.Status, u.SMSEnabled = statusReset, mfa && m["phone_number"] != ""
	p.addUser(u)
	return nil
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"GetCSVHeader":          {fn: opGetCSVHeader, readOnly: true},
		"CreateUserImportJob":   {fn: opCreateUserImportJob},
		"DescribeUserImportJob": {fn: opDescribeUserImportJob, readOnly: true},
		"ListUserImportJobs":    {fn: opListUserImportJobs, readOnly: true},
		"StartUserImportJob":    {fn: opStartUserImportJob},
		"StopUserImportJob":     {fn: opStopUserImportJob},
	})
	registerPath("PUT "+importPath+"{token}", serveImportUpload)
}
