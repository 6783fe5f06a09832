package userpool

import (
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
	csv := "\ufeffcognito:username,name,email,email_verified,phone_number,phone_number_verified,cognito:mfa_enabled,custom:tier\n" +
		"bob,Bob,bob@example.com,TRUE,,,FALSE,gold\n" +
		"carol,Carol,carol@example.com,true,+15555550100,TRUE,TRUE,\n" +
		"alice,Alice,alice@example.com,TRUE,,,FALSE,\n" + // exists
		"dave,Dave,not-an-email,TRUE,,,FALSE,\n" +
		"erin,Erin,erin@example.com,TRUE,,,TRUE,\n" + // MFA without a phone
		"frank,,frank@example.com,TRUE,,,FALSE,\n" + // name is required
		"grace,Grace,grace@example.com,TRUE,,,maybe,\n" +
		"heidi,Heidi,heidi@example.com\n" + // too few fields
		",Nobody,nobody@example.com,TRUE,,,FALSE,\n" +
		"\"ivan,Ivan\n" // unterminated quote
	j := e.runImport(pool, csv)
	assert.Equal(t, "Succeeded", j["Status"])
	assert.EqualValues(t, 2, j["ImportedUsers"])
	assert.EqualValues(t, 8, j["FailedUsers"])
	assert.EqualValues(t, 0, j["SkippedUsers"])
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
	assert.Equal(t, "true", attrs["email_verified"])
	assert.NotEmpty(t, attrs["sub"])
	carol := e.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "carol"})
	assert.Contains(t, carol["UserMFASettingList"], "SMS_MFA")
	for _, gone := range []string{"dave", "erin", "frank", "grace", "heidi"} {
		_, errType := e.call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": gone})
		assert.True(t, strings.HasPrefix(errType, "UserNotFoundException"), "%s: %s", gone, errType)
	}
	alice := e.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "alice"})
	assert.Equal(t, "CONFIRMED", alice["UserStatus"], "an existing user is left alone")

	t.Run("an imported user has no password that works", func(t *testing.T) {
		e.t = t
		cl, err := e.s.NewClient(pool, ClientOptions{})
		require.NoError(t, err)
		_, errType := e.call("AdminInitiateAuth", map[string]any{"UserPoolId": pool, "ClientId": cl.ID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
			"AuthParameters": map[string]any{"USERNAME": "bob", "PASSWORD": "Passw0rd!"}})
		assert.True(t, strings.HasPrefix(errType, "NotAuthorizedException"), errType)
	})
}

func TestUserImportJobFailures(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	for _, tc := range []struct{ name, csv string }{
		{"a column the pool lacks", "cognito:username,cognito:mfa_enabled,name,favourite_colour\nbob,FALSE,Bob,blue\n"},
		{"a column twice", "cognito:username,cognito:mfa_enabled,name,name\nbob,FALSE,Bob,Bob\n"},
		{"no cognito:mfa_enabled", "cognito:username,name\nbob,Bob\n"},
		{"no column for a required attribute", "cognito:username,cognito:mfa_enabled,email\nbob,FALSE,bob@example.com\n"},
		{"an empty file", ""},
		{"an unreadable header", "\"cognito:username,name\n"},
		{"every row fails", "cognito:username,cognito:mfa_enabled,name\nalice,FALSE,Alice\n"},
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
}

func TestUserImportJobLifecycle(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := importPool(t, e)
	const csv = "cognito:username,cognito:mfa_enabled,name,email,email_verified\nbob,FALSE,Bob,bob@example.com,TRUE\n"
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
		assert.Equal(t, doneID, out["UserImportJobs"].([]any)[0].(map[string]any)["JobId"])
		next := e.ok("ListUserImportJobs", map[string]any{"UserPoolId": pool, "MaxResults": 1, "PaginationToken": out["PaginationToken"]})
		require.Len(t, next["UserImportJobs"], 1)
		assert.Equal(t, created, next["UserImportJobs"].([]any)[0].(map[string]any)["JobId"])
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
		require.Equal(t, http.StatusOK, e.put(path, csv+"carl,FALSE,Carl,carl@example.com,TRUE\n").Code)
		e.ok("StartUserImportJob", ref(id))
		out := e.ok("StopUserImportJob", ref(id))
		assert.Equal(t, "Stopping", obj(t, out, "UserImportJob")["Status"])
		assert.Equal(t, "PreconditionNotMetException", code("StopUserImportJob", ref(id)), "stopping already")
		close(release)
		j := e.waitJob(pool, id)
		assert.Equal(t, "Stopped", j["Status"])
		assert.EqualValues(t, 2, j["SkippedUsers"])
		assert.EqualValues(t, 0, j["ImportedUsers"])
		_, errType := e.call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "carl"})
		assert.True(t, strings.HasPrefix(errType, "UserNotFoundException"), errType)
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
	require.Equal(t, http.StatusOK, e.put(upload, "cognito:username,cognito:mfa_enabled,email,email_verified\nbob,FALSE,bob@example.com,TRUE\n").Code)
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
