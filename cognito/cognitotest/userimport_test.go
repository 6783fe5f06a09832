package cognitotest

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

const importRoleArn = "arn:aws:iam::123456789012:role/CognitoImport"

// importCSV is a file with the columns GetCSVHeader listed, one row per
// user (username → e-mail address), every other cell empty.
func importCSV(t *testing.T, header []string, users map[string]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write(header))
	for name, email := range users {
		row := make([]string, len(header))
		for i, col := range header {
			switch col {
			case "cognito:username":
				row[i] = name
			case "email":
				row[i] = email
			case "email_verified":
				row[i] = "TRUE"
			case "cognito:mfa_enabled":
				row[i] = "FALSE"
			}
		}
		require.NoError(t, w.Write(row))
	}
	w.Flush()
	require.NoError(t, w.Error())
	return b.String()
}

// putCSV uploads a file to a pre-signed URL as curl -T would.
func putCSV(t *testing.T, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestUserImportEndToEnd: a file built from GetCSVHeader, uploaded with a
// plain HTTP PUT, is imported by a job the SDK creates and starts; an
// imported user cannot sign in until ForgotPassword and
// ConfirmForgotPassword, then can.
func TestUserImportEndToEnd(t *testing.T) {
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	c := idp(s)

	hdr, err := c.GetCSVHeader(ctx(), &cip.GetCSVHeaderInput{UserPoolId: &pool})
	require.NoError(t, err)
	assert.Equal(t, pool, aws.ToString(hdr.UserPoolId))
	assert.Contains(t, hdr.CSVHeader, "cognito:username")
	assert.Contains(t, hdr.CSVHeader, "cognito:mfa_enabled")

	created, err := c.CreateUserImportJob(ctx(), &cip.CreateUserImportJobInput{UserPoolId: &pool,
		JobName: aws.String("people"), CloudWatchLogsRoleArn: aws.String(importRoleArn)})
	require.NoError(t, err)
	job := created.UserImportJob
	assert.Equal(t, types.UserImportJobStatusTypeCreated, job.Status)
	assert.Equal(t, importRoleArn, aws.ToString(job.CloudWatchLogsRoleArn))
	assert.True(t, strings.HasPrefix(aws.ToString(job.PreSignedUrl), s.URL+"/"), aws.ToString(job.PreSignedUrl))
	assert.Regexp(t, `^import-[0-9A-Za-z]+$`, aws.ToString(job.JobId))

	assert.Equal(t, http.StatusForbidden, putCSV(t, s.URL+"/user-import/guess", "x"), "a guessed URL")
	csvFile := importCSV(t, hdr.CSVHeader, map[string]string{"pat": "pat@example.com", "quinn": "quinn@example.com"})
	require.Equal(t, http.StatusOK, putCSV(t, aws.ToString(job.PreSignedUrl), csvFile))

	started, err := c.StartUserImportJob(ctx(), &cip.StartUserImportJobInput{UserPoolId: &pool, JobId: job.JobId})
	require.NoError(t, err)
	assert.Equal(t, types.UserImportJobStatusTypePending, started.UserImportJob.Status)
	_, err = c.StartUserImportJob(ctx(), &cip.StartUserImportJobInput{UserPoolId: &pool, JobId: job.JobId})
	requireCode(t, err, "PreconditionNotMetException")

	var done *types.UserImportJobType
	require.Eventually(t, func() bool {
		out, err := c.DescribeUserImportJob(ctx(), &cip.DescribeUserImportJobInput{UserPoolId: &pool, JobId: job.JobId})
		require.NoError(t, err)
		done = out.UserImportJob
		return done.Status == types.UserImportJobStatusTypeSucceeded || done.Status == types.UserImportJobStatusTypeFailed
	}, 20*time.Second, 5*time.Millisecond)
	assert.Equal(t, types.UserImportJobStatusTypeSucceeded, done.Status)
	assert.EqualValues(t, 2, done.ImportedUsers)
	assert.EqualValues(t, 0, done.FailedUsers)
	assert.NotNil(t, done.CompletionDate)

	list, err := c.ListUserImportJobs(ctx(), &cip.ListUserImportJobsInput{UserPoolId: &pool, MaxResults: aws.Int32(10)})
	require.NoError(t, err)
	require.Len(t, list.UserImportJobs, 1)
	assert.Equal(t, aws.ToString(job.JobId), aws.ToString(list.UserImportJobs[0].JobId))

	u, err := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("pat")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeResetRequired, u.UserStatus)

	signIn := func(password string) error {
		_, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: &cl.ID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": password}})
		return err
	}
	requireCode(t, signIn(testPassword), "PasswordResetRequiredException") // whatever the password, as Cognito answers

	fp, err := c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &cl.ID, Username: aws.String("pat")})
	require.NoError(t, err)
	assert.Equal(t, "EMAIL", string(fp.CodeDeliveryDetails.DeliveryMedium))
	code, ok := s.LastCode(pool, "pat")
	require.True(t, ok)
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &cl.ID, Username: aws.String("pat"),
		ConfirmationCode: aws.String("000000"), Password: aws.String(testPassword)})
	requireCode(t, err, "CodeMismatchException")
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &cl.ID, Username: aws.String("pat"),
		ConfirmationCode: &code, Password: aws.String(testPassword)})
	require.NoError(t, err)
	require.NoError(t, signIn(testPassword))
	requireCode(t, signIn("Wr0ng-password"), "NotAuthorizedException")
}

// pyUserImport runs the import flow with boto3 and urllib (the upload as
// AWS's documentation shows it), calls the other configuration operations
// the emulator stores, and checks every answer's raw body against
// botocore's output shape with testdata/shapecheck.py.
const pyUserImport = `
import json, os, sys, time, urllib.request, boto3
sys.path.insert(0, os.environ['SHAPECHECK_DIR'])
import shapecheck
c = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDX', aws_secret_access_key='x')
problems, seen = [], []
shapecheck.watch(c, problems, seen)

pool, client = os.environ['POOL'], os.environ['CLIENT']
header = c.get_csv_header(UserPoolId=pool)['CSVHeader']
row = {h: '' for h in header}
row.update({'cognito:username': 'pat', 'email': 'pat@example.com', 'email_verified': 'TRUE', 'cognito:mfa_enabled': 'FALSE'})
csv = ','.join(header) + '\n' + ','.join(row[h] for h in header) + '\n'
job = c.create_user_import_job(UserPoolId=pool, JobName='boto3 import', CloudWatchLogsRoleArn=os.environ['ROLE'])['UserImportJob']
req = urllib.request.Request(job['PreSignedUrl'], data=csv.encode(), method='PUT',
                             headers={'x-amz-server-side-encryption': 'aws:kms'})
with urllib.request.urlopen(req) as r:
    upload = r.status
started = c.start_user_import_job(UserPoolId=pool, JobId=job['JobId'])['UserImportJob']['Status']
for _ in range(2000):
    done = c.describe_user_import_job(UserPoolId=pool, JobId=job['JobId'])['UserImportJob']
    if done['Status'] in ('Succeeded', 'Failed', 'Stopped'):
        break
    time.sleep(0.01)
listed = c.list_user_import_jobs(UserPoolId=pool, MaxResults=5)['UserImportJobs']
delivery = c.forgot_password(ClientId=client, Username='pat')['CodeDeliveryDetails']['DeliveryMedium']

c.set_ui_customization(UserPoolId=pool, ClientId='ALL', CSS='.label-customizable { font-weight: 400; }')
c.get_ui_customization(UserPoolId=pool, ClientId=client)
b = c.create_managed_login_branding(UserPoolId=pool, ClientId=client,
    Settings={'categories': {'global': {'colorSchemeMode': 'DARK'}}})['ManagedLoginBranding']
c.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=b['ManagedLoginBrandingId'], ReturnMergedResources=True)
c.update_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=b['ManagedLoginBrandingId'], UseCognitoProvidedValues=True)
c.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client)
tm = c.create_terms(UserPoolId=pool, ClientId=client, TermsName='terms-of-use', TermsSource='LINK', Enforcement='NONE',
    Links={'cognito:default': 'https://example.com/terms'})['Terms']
c.update_terms(UserPoolId=pool, TermsId=tm['TermsId'], Links={'cognito:english': 'https://example.com/en'})
c.describe_terms(UserPoolId=pool, TermsId=tm['TermsId'])
c.list_terms(UserPoolId=pool)
c.set_log_delivery_configuration(UserPoolId=pool, LogConfigurations=[{'EventSource': 'userNotification', 'LogLevel': 'ERROR',
    'CloudWatchLogsConfiguration': {'LogGroupArn': 'arn:aws:logs:us-east-1:123456789012:log-group:cognito'}}])
c.get_log_delivery_configuration(UserPoolId=pool)
try:
    c.create_terms(UserPoolId=pool, ClientId=client, TermsName='terms-of-use', TermsSource='LINK', Enforcement='NONE',
        Links={'cognito:default': 'https://example.com/terms'})
    dup = ''
except c.exceptions.TermsExistsException as e:
    dup = e.response['Error']['Code']
print(json.dumps({'upload': upload, 'started': started, 'status': done['Status'], 'imported': done['ImportedUsers'],
                  'listed': len(listed), 'delivery': delivery, 'dup': dup, 'problems': problems, 'seen': seen}))
`

// TestInteropBoto3UserImport: boto3 runs an import job whose file urllib
// uploads; the imported user then resets its password and signs in.
// Every answer of the operations stored here has botocore's output shape.
func TestInteropBoto3UserImport(t *testing.T) {
	py := interop.Python(t, "boto3")
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{CustomAttributes: []string{"plan"}})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	cmd := exec.Command(py, "-c", pyUserImport)
	cmd.Env = append(cmd.Environ(), "ENDPOINT="+s.URL, "POOL="+pool, "CLIENT="+cl.ID, "ROLE="+importRoleArn, shapecheckDir(t))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var res struct {
		Upload   int      `json:"upload"`
		Started  string   `json:"started"`
		Status   string   `json:"status"`
		Imported int      `json:"imported"`
		Listed   int      `json:"listed"`
		Delivery string   `json:"delivery"`
		Dup      string   `json:"dup"`
		Problems []string `json:"problems"`
		Seen     []string `json:"seen"`
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &res), "%s", out)
	assert.Equal(t, http.StatusOK, res.Upload)
	assert.Equal(t, "Pending", res.Started)
	assert.Equal(t, "Succeeded", res.Status)
	assert.Equal(t, 1, res.Imported)
	assert.Equal(t, 1, res.Listed)
	assert.Equal(t, "EMAIL", res.Delivery)
	assert.Equal(t, "TermsExistsException", res.Dup)
	assert.Empty(t, res.Problems)
	for _, op := range []string{"GetCSVHeader", "CreateUserImportJob", "StartUserImportJob", "DescribeUserImportJob",
		"ListUserImportJobs", "SetUICustomization", "GetUICustomization", "CreateManagedLoginBranding",
		"DescribeManagedLoginBranding", "UpdateManagedLoginBranding", "DescribeManagedLoginBrandingByClient",
		"CreateTerms", "UpdateTerms", "DescribeTerms", "ListTerms", "SetLogDeliveryConfiguration", "GetLogDeliveryConfiguration"} {
		assert.Contains(t, res.Seen, op, "the shape of %s was checked", op)
	}

	code, ok := s.LastCode(pool, "pat")
	require.True(t, ok)
	c := idp(s)
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &cl.ID, Username: aws.String("pat"),
		ConfirmationCode: &code, Password: aws.String(testPassword)})
	require.NoError(t, err)
	_, err = c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: &cl.ID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": testPassword}})
	require.NoError(t, err)
}
