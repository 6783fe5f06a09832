package userpool

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testRoleArn = "arn:aws:iam::123456789012:role/CognitoImport"

// createJob creates an import job in pool and returns its ID and the
// path of its pre-signed URL.
func (e *unlockedEnv) createJob(pool string) (string, string) {
	e.t.Helper()
	out := e.ok("CreateUserImportJob", map[string]any{"UserPoolId": pool, "JobName": "import users", "CloudWatchLogsRoleArn": testRoleArn})
	j := obj(e.t, out, "UserImportJob")
	assert.Equal(e.t, "Created", j["Status"])
	u, err := url.Parse(j["PreSignedUrl"].(string))
	require.NoError(e.t, err)
	return j["JobId"].(string), u.Path
}

// put uploads body to path as curl -T would.
func (e *unlockedEnv) put(path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPut, path, strings.NewReader(body))
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	rec := httptest.NewRecorder()
	e.host.Handler().ServeHTTP(rec, req)
	return rec
}

// job describes a job.
func (e *unlockedEnv) job(pool, id string) map[string]any {
	e.t.Helper()
	return obj(e.t, e.ok("DescribeUserImportJob", map[string]any{"UserPoolId": pool, "JobId": id}), "UserImportJob")
}

// waitJob waits until a job has ended and returns it.
func (e *unlockedEnv) waitJob(pool, id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := e.job(pool, id)
		switch j["Status"] {
		case "Succeeded", "Failed", "Stopped":
			return j
		}
		require.True(e.t, time.Now().Before(deadline), "job still %v", j["Status"])
		time.Sleep(5 * time.Millisecond)
	}
}

// runImport creates, fills, starts and waits for a job.
func (e *unlockedEnv) runImport(pool, csv string) map[string]any {
	e.t.Helper()
	id, path := e.createJob(pool)
	require.Equal(e.t, http.StatusOK, e.put(path, csv).Code)
	out := e.ok("StartUserImportJob", map[string]any{"UserPoolId": pool, "JobId": id})
	j := obj(e.t, out, "UserImportJob")
	assert.Equal(e.t, "Pending", j["Status"])
	assert.Contains(e.t, j, "StartDate")
	return e.waitJob(pool, id)
}

// csvFile is a file with every column GetCSVHeader lists for pool and one
// row per map (column → value; other cells empty), then the raw lines.
func (e *unlockedEnv) csvFile(pool string, rows []map[string]string, raw ...string) string {
	e.t.Helper()
	var header []string
	for _, h := range e.ok("GetCSVHeader", map[string]any{"UserPoolId": pool})["CSVHeader"].([]any) {
		header = append(header, h.(string))
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	require.NoError(e.t, w.Write(header))
	for _, r := range rows {
		line := make([]string, len(header))
		for i, h := range header {
			line[i] = r[h]
		}
		require.NoError(e.t, w.Write(line))
	}
	w.Flush()
	for _, l := range raw {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// person is a row for csvFile: a user with a verified e-mail address and
// the given other columns (pairs).
func person(name string, kv ...string) map[string]string {
	m := map[string]string{"cognito:username": name, "name": name, "email": name + "@example.com", "email_verified": "TRUE"}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func importPool(t *testing.T, e *unlockedEnv) string {
	pool, err := e.s.CreatePool(PoolOptions{CustomAttributes: []string{"tier"}, RequiredAttributes: []string{"name"}})
	require.NoError(t, err)
	_, err = e.s.AddUser(pool, "alice", "Passw0rd!", map[string]string{"name": "Alice"})
	require.NoError(t, err)
	return pool
}

func TestGetCSVHeader(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	out := e.ok("GetCSVHeader", map[string]any{"UserPoolId": pool})
	assert.Equal(t, pool, out["UserPoolId"])
	assert.Equal(t, []any{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
		"phone_number", "phone_number_verified", "address", "updated_at", "custom:tier",
		"cognito:mfa_enabled", "cognito:username"}, out["CSVHeader"])
	_, errType := e.call("GetCSVHeader", map[string]any{"UserPoolId": "us-east-1_nope"})
	assert.True(t, strings.HasPrefix(errType, "ResourceNotFoundException"), errType)
}

func TestUserImportJobRows(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	file := "\ufeff" + e.csvFile(pool, []map[string]string{
		person("bob", "name", "  Bob  ", "cognito:mfa_enabled", "FALSE", "custom:tier", "gold"),
		person("carol", "phone_number", "+15555550100", "phone_number_verified", "true"),
		person("leo", "birthdate", "02/01/1985", "updated_at", "1471453471"),
		person("alice"),                                 // exists: skipped
		person("dave", "email", "not-an-email"),         // the schema refuses it
		person("erin", "cognito:mfa_enabled", "TRUE"),   // MFA is off in the pool
		person("frank", "name", ""),                     // name is required
		person("grace", "cognito:mfa_enabled", "maybe"), // not a boolean
		person("judy", "email_verified", "FALSE"),       // the pool's one auto-verified attribute unverified
		person("kim", "birthdate", "1985-02-01"),        // not mm/dd/yyyy
		person("mallory", "email", ""),                  // verified but empty
		person("nobody", "cognito:username", ""),        // no username
		person("oscar", "updated_at", "yesterday"),      // not epoch seconds
		person("peggy", "cognito:username", "peg gy"),   // a space in the username
	}, "heidi,Heidi", "ivan,"+strings.Repeat("x", maxImportRowBytes), "\"unterminated,Ivan")
	j := e.runImport(pool, file)
	assert.Equal(t, "Succeeded", j["Status"])
	assert.EqualValues(t, 3, j["ImportedUsers"])
	assert.EqualValues(t, 1, j["SkippedUsers"])
	assert.EqualValues(t, 13, j["FailedUsers"])
	assert.Contains(t, j, "CompletionDate")
	assert.NotEmpty(t, j["CompletionMessage"])
	assert.Equal(t, testRoleArn, j["CloudWatchLogsRoleArn"])

	bob := e.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "bob"})
	assert.Equal(t, "RESET_REQUIRED", bob["UserStatus"])
	attrs := map[string]any{}
	for _, a := range bob["UserAttributes"].([]any) {
		attrs[a.(map[string]any)["Name"].(string)] = a.(map[string]any)["Value"]
	}
	assert.Equal(t, "gold", attrs["custom:tier"])
	assert.Equal(t, "Bob", attrs["name"], "values are trimmed")
	assert.Equal(t, "true", attrs["email_verified"])
	assert.NotEmpty(t, attrs["sub"])
	assert.NotContains(t, attrs, "phone_number", "empty cells set nothing")
	for _, gone := range []string{"dave", "erin", "frank", "grace", "judy", "kim", "mallory", "oscar", "heidi", "ivan"} {
		_, errType := e.call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": gone})
		assert.True(t, strings.HasPrefix(errType, "UserNotFoundException"), "%s: %s", gone, errType)
	}
	alice := e.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "alice"})
	assert.Equal(t, "CONFIRMED", alice["UserStatus"], "an existing user is left alone")

	t.Run("an imported user must reset the password", func(t *testing.T) {
		e.t = t
		cl, err := e.s.NewClient(pool, ClientOptions{})
		require.NoError(t, err)
		_, errType := e.call("AdminInitiateAuth", map[string]any{"UserPoolId": pool, "ClientId": cl.ID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
			"AuthParameters": map[string]any{"USERNAME": "bob", "PASSWORD": "Passw0rd!"}})
		assert.Equal(t, "PasswordResetRequiredException: Password reset required for the user", errType)
	})
}

// TestUserImportMFA: cognito:mfa_enabled must agree with a pool that
// requires MFA; blank takes the pool's requirement.
func TestUserImportMFA(t *testing.T) {
	e := newUnlockedEnv(t)
	pool, err := e.s.CreatePool(PoolOptions{MFA: "ON", AutoVerifiedAttributes: []string{"email", "phone_number"}})
	require.NoError(t, err)
	j := e.runImport(pool, e.csvFile(pool, []map[string]string{
		person("rita", "phone_number", "+15555550101", "phone_number_verified", "TRUE"),
		person("sam", "phone_number", "+15555550102", "cognito:mfa_enabled", "FALSE"),
		{"cognito:username": "tom", "phone_number": "+15555550103", "phone_number_verified": "TRUE", "cognito:mfa_enabled": "TRUE"},
	}))
	assert.EqualValues(t, 2, j["ImportedUsers"])
	assert.EqualValues(t, 1, j["FailedUsers"])
	for _, name := range []string{"rita", "tom"} {
		u := e.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": name})
		assert.Contains(t, u["UserMFASettingList"], "SMS_MFA", name)
	}
}

func TestUserImportJobFailures(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	good := e.csvFile(pool, []map[string]string{person("bob")})
	header, row, _ := strings.Cut(good, "\n")
	row = strings.TrimSuffix(row, "\n")
	for _, tc := range []struct{ name, csv string }{
		{"a column the pool lacks", header + ",favourite_colour\n" + row + ",blue\n"},
		{"a column twice", header + ",name\n" + row + ",bob\n"},
		{"a column missing", strings.Replace(header, ",cognito:mfa_enabled", "", 1) + "\n" + strings.Replace(row, ",,", ",", 1) + "\n"},
		{"an empty file", ""},
		{"an unreadable header", "\"cognito:username,name\n"},
		{"every row skipped or failed", e.csvFile(pool, []map[string]string{person("alice"), person("bad", "email", "x")})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			j := e.runImport(pool, tc.csv)
			assert.Equal(t, "Failed", j["Status"])
			assert.NotEmpty(t, j["CompletionMessage"])
			assert.EqualValues(t, 0, j["ImportedUsers"])
		})
	}
	t.Run("nothing uploaded", func(t *testing.T) {
		e.t = t
		id, _ := e.createJob(pool)
		e.ok("StartUserImportJob", map[string]any{"UserPoolId": pool, "JobId": id})
		assert.Equal(t, "Failed", e.waitJob(pool, id)["Status"])
	})
	t.Run("a pool without auto-verified attributes", func(t *testing.T) {
		e.t = t
		none, err := e.s.CreatePool(PoolOptions{AutoVerifiedAttributes: []string{}})
		require.NoError(t, err)
		id, path := e.createJob(none)
		require.Equal(t, http.StatusOK, e.put(path, good).Code)
		_, errType := e.call("StartUserImportJob", map[string]any{"UserPoolId": none, "JobId": id})
		assert.True(t, strings.HasPrefix(errType, "PreconditionNotMetException"), errType)
		assert.Equal(t, "Created", e.job(none, id)["Status"])
	})
	t.Run("the file is good but for each case's one fault", func(t *testing.T) {
		e.t = t
		assert.Equal(t, "Succeeded", e.runImport(pool, good)["Status"])
	})
}

func TestUserImportJobLifecycle(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	csv := e.csvFile(pool, []map[string]string{person("bob")})
	code := func(op string, in map[string]any) string {
		_, errType := e.call(op, in)
		c, _, _ := strings.Cut(errType, ":")
		return c
	}
	done := e.runImport(pool, csv)
	doneID := done["JobId"].(string)
	created, path := e.createJob(pool)
	ref := func(id string) map[string]any { return map[string]any{"UserPoolId": pool, "JobId": id} }

	for _, tc := range []struct {
		name, op string
		in       map[string]any
		code     string
	}{
		{"role ARN of another service", "CreateUserImportJob", map[string]any{"UserPoolId": pool, "JobName": "x",
			"CloudWatchLogsRoleArn": "arn:aws:logs:us-east-1:123456789012:log-group:x"}, "InvalidParameterException"},
		{"no role ARN (model)", "CreateUserImportJob", map[string]any{"UserPoolId": pool, "JobName": "x"}, "InvalidParameterException"},
		{"a job name the model refuses", "CreateUserImportJob", map[string]any{"UserPoolId": pool, "JobName": "x/y", "CloudWatchLogsRoleArn": testRoleArn}, "InvalidParameterException"},
		{"unknown pool", "CreateUserImportJob", map[string]any{"UserPoolId": "us-east-1_nope", "JobName": "x", "CloudWatchLogsRoleArn": testRoleArn}, "ResourceNotFoundException"},
		{"describe an unknown job", "DescribeUserImportJob", ref("import-nosuchjob"), "ResourceNotFoundException"},
		{"start an unknown job", "StartUserImportJob", ref("import-nosuchjob"), "ResourceNotFoundException"},
		{"start a finished job", "StartUserImportJob", ref(doneID), "PreconditionNotMetException"},
		{"stop a finished job", "StopUserImportJob", ref(doneID), "PreconditionNotMetException"},
		{"stop a job not started", "StopUserImportJob", ref(created), "PreconditionNotMetException"},
		{"list without MaxResults (model)", "ListUserImportJobs", map[string]any{"UserPoolId": pool}, "InvalidParameterException"},
		{"list with a forged token", "ListUserImportJobs", map[string]any{"UserPoolId": pool, "MaxResults": 1, "PaginationToken": "x"}, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			assert.Equal(t, tc.code, code(tc.op, tc.in))
		})
	}

	t.Run("uploads", func(t *testing.T) {
		e.t = t
		rec := e.put(importPath+"not-the-token", csv)
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Contains(t, rec.Body.String(), "<Code>AccessDenied</Code>")
		assert.NotEqual(t, http.StatusOK, e.put(importPath, csv).Code, "no token")
		finished := done["PreSignedUrl"].(string)
		u, _ := url.Parse(finished)
		assert.Equal(t, http.StatusForbidden, e.put(u.Path, csv).Code, "a job that ran takes no upload")
		rec = e.put(path, strings.Repeat("x", MaxImportCSVBytes+1))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, rec.Body.String(), "EntityTooLarge")
		assert.Equal(t, http.StatusOK, e.put(path, csv).Code)
		assert.Equal(t, http.StatusOK, e.put(path, csv).Code, "a second upload replaces the first")
	})

	t.Run("list pages", func(t *testing.T) {
		e.t = t
		out := e.ok("ListUserImportJobs", map[string]any{"UserPoolId": pool, "MaxResults": 1})
		require.Len(t, out["UserImportJobs"], 1)
		assert.Equal(t, created, out["UserImportJobs"].([]any)[0].(map[string]any)["JobId"], "the last created first")
		next := e.ok("ListUserImportJobs", map[string]any{"UserPoolId": pool, "MaxResults": 1, "PaginationToken": out["PaginationToken"]})
		require.Len(t, next["UserImportJobs"], 1)
		assert.Equal(t, doneID, next["UserImportJobs"].([]any)[0].(map[string]any)["JobId"])
		assert.NotContains(t, next, "PaginationToken")
		empty, err := e.s.CreatePool(PoolOptions{})
		require.NoError(t, err)
		assert.NotContains(t, e.ok("ListUserImportJobs", map[string]any{"UserPoolId": empty, "MaxResults": 10}), "UserImportJobs")
	})

	t.Run("stop before the run starts", func(t *testing.T) {
		e.t = t
		release := make(chan struct{})
		testImportStart = func() { <-release }
		defer func() { testImportStart = nil }()
		id, path := e.createJob(pool)
		require.Equal(t, http.StatusOK, e.put(path, e.csvFile(pool, []map[string]string{person("carl"), person("cora")})).Code)
		e.ok("StartUserImportJob", ref(id))
		out := e.ok("StopUserImportJob", ref(id))
		assert.Equal(t, "Stopping", obj(t, out, "UserImportJob")["Status"])
		assert.Equal(t, "PreconditionNotMetException", code("StopUserImportJob", ref(id)), "stopping already")
		close(release)
		j := e.waitJob(pool, id)
		assert.Equal(t, "Stopped", j["Status"])
		assert.Equal(t, "The Import Job was stopped by the developer.", j["CompletionMessage"])
		assert.EqualValues(t, 2, j["SkippedUsers"])
		assert.EqualValues(t, 0, j["ImportedUsers"])
		_, errType := e.call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "carl"})
		assert.True(t, strings.HasPrefix(errType, "UserNotFoundException"), errType)
	})

	t.Run("the pre-signed URL lasts 15 minutes", func(t *testing.T) {
		e.t = t
		id, path := e.createJob(pool)
		e.host.Advance(importURLTTL + time.Second)
		rec := e.put(path, csv)
		assert.Equal(t, http.StatusForbidden, rec.Code)
		assert.Contains(t, rec.Body.String(), "Request has expired")
		assert.Equal(t, "Created", e.job(pool, id)["Status"])
	})

	t.Run("a job not started within a day expires", func(t *testing.T) {
		e.t = t
		e.host.Advance(importJobTTL + time.Minute)
		assert.Equal(t, "Expired", e.job(pool, created)["Status"])
		assert.Equal(t, "PreconditionNotMetException", code("StartUserImportJob", ref(created)))
		assert.Equal(t, http.StatusForbidden, e.put(path, csv).Code)
	})
}

// TestUserImportJobResumesAfterRestart: a job that was running when the
// server stopped is taken up again from the state, not left Pending.
func TestUserImportJobResumesAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path)
	id, upload := e.createJob(e.pool)
	require.Equal(t, http.StatusOK, e.put(upload, e.csvFile(e.pool, []map[string]string{person("bob")})).Code)
	release := make(chan struct{})
	testImportStart = func() { <-release }
	e.ok("StartUserImportJob", map[string]any{"UserPoolId": e.pool, "JobId": id})
	testImportStart = nil
	require.NoError(t, e.host.Close()) // the run has not begun
	defer close(release)

	e2 := openPersistEnv(t, path)
	e2.pool = e.pool
	j := e2.waitJob(e.pool, id)
	assert.Equal(t, "Succeeded", j["Status"])
	assert.EqualValues(t, 1, j["ImportedUsers"])
	assert.True(t, e2.s.HasUser(e.pool, "bob"))
}
