package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

func init() {
	register(&command{
		name:    "signin",
		summary: "sign a user in to a user pool and print the tokens as JSON",
		run:     runSignin,
	})
}

// signinAttrFlag collects repeated -attr name=value flags.
type signinAttrFlag map[string]string

func (a signinAttrFlag) String() string { return fmt.Sprint(map[string]string(a)) }

func (a signinAttrFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	a[k] = v
	return nil
}

const signinUsage = `usage: cognitoctl signin -user-pool-id ID -client-id ID [-client-secret SECRET] -username U
       [-password SECRET] [-flow srp|password|admin|user-auth] [-new-password SECRET] [-mfa-code CODE]
       [-mfa-type TYPE] [-answer A] [-attr NAME=VALUE]... [-timeout 30s]
       [-factor email-otp|sms-otp|password|password-srp|web-authn] [-code SECRET] [-credential SECRET]
   or: cognitoctl signin -use-stored [-client-id ID] [-client-secret SECRET] [-token-dir DIR]

Signs the user in (USER_SRP_AUTH by default: the password never leaves the
machine), answers the challenges Cognito asks for from the flags or, when
stdin is a terminal, by asking, and prints {"IdToken", "AccessToken",
"RefreshToken", "ExpiresIn", "TokenType"} on stdout.

Secrets stay off the command line: each SECRET is @FILE, @- (stdin) or, left
out, its environment variable (COGNITO_PASSWORD, COGNITO_CLIENT_SECRET,
COGNITO_NEW_PASSWORD). With no password and a terminal on stdin, signin asks
for it without echo.

-use-stored prints the tokens of the session "cognitoctl login" stored
instead, refreshed (and saved back) when they are about to expire; no password
is needed. -client-id (or -user-pool-id) chooses among several stored sessions.

-flow user-auth is Cognito's choice-based sign-in (USER_AUTH): -factor picks
the first factor; without it signin lists the factors Cognito offers and asks
(or fails with the list when stdin is not a terminal). A password is needed
only for the password factors. E-mailed or texted codes come from -code
(@FILE, @- or $COGNITO_CODE) or are asked for. For web-authn, signin prints
the passkey request options on stderr and takes the authenticator's assertion
JSON from -credential or a line of stdin: it is not an authenticator itself.

flags:
`

func runSignin(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "signin", signinUsage)
	var app appClientFlags
	app.register(fs)
	username := fs.String("username", "", "username or alias (required)")
	passwordFlag := secret.Define(fs, "password", envPassword, "password (asked for without echo when stdin is a terminal)")
	flowName := fs.String("flow", "srp", "authentication flow: "+flowUsage+", or user-auth (USER_AUTH: choose a first factor with -factor)")
	newPasswordFlag := secret.Define(fs, "new-password", envNewPassword, "answer NEW_PASSWORD_REQUIRED with this password")
	mfaCode := fs.String("mfa-code", "", "answer SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA with this code")
	mfaType := fs.String("mfa-type", "", "answer SELECT_MFA_TYPE with this type (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)")
	answer := fs.String("answer", "", "answer CUSTOM_CHALLENGE with this answer")
	attrs := signinAttrFlag{}
	timeout := timeoutFlag(fs)
	fs.Var(attrs, "attr", "name=value: a required attribute for NEW_PASSWORD_REQUIRED (repeatable)")
	useStored := fs.Bool("use-stored", false, "print the tokens of the session cognitoctl login stored (refreshed as needed) instead of signing in")
	var store storeFlags
	store.register(fs)
	var uaFlags userAuthFlags
	uaFlags.register(fs)
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if *useStored {
		return runSigninStored(ctx, env, fs, &app, &store, *timeout)
	}
	if store.dir != "" {
		return exitf(2, "-token-dir needs -use-stored")
	}
	userAuth := *flowName == userAuthFlow
	var factor cognito.Factor
	if userAuth && uaFlags.factorName != "" {
		var err error
		if factor, err = parseFactor(uaFlags.factorName); err != nil {
			return err
		}
	}
	// USER_AUTH needs a password up front only for a password factor.
	needPassword := !userAuth || factor == cognito.FactorPassword || factor == cognito.FactorPasswordSRP
	missing := missingFlags(env, fs, "user-pool-id", "client-id", "username")
	if needPassword && !passwordFlag.Given(env.getenv) && !env.stdinIsTerminal {
		missing = append(missing, "-password (or $"+envPassword+")")
	}
	if err := missingError(missing); err != nil {
		return err
	}
	flow := cognito.FlowUserAuth
	if !userAuth {
		var err error
		if flow, err = parseFlow(*flowName); err != nil {
			return err
		}
	}
	if err := secret.OneStdin(passwordFlag, newPasswordFlag, app.secretFlag, uaFlags.code, uaFlags.credential); err != nil {
		return exitf(2, "%v", err)
	}
	if err := app.resolve(env); err != nil {
		return err
	}
	newPassword, err := secretValue(env, newPasswordFlag)
	if err != nil {
		return err
	}
	password, err := secretValue(env, passwordFlag)
	if err != nil {
		return err
	}
	if password == "" && needPassword { // stdin is a terminal: ask
		if password, err = readPassword(env, "Password"); err != nil {
			return err
		}
	}
	// Each exchange with Cognito has its own deadline: the time a user
	// takes to answer a prompt does not count.
	dl := deadline.New(*timeout)
	var c *cognito.Client
	res, err := deadline.Run(ctx, dl, func(ctx context.Context) (*cognito.Result, error) {
		if c, err = app.client(ctx, env, dl); err != nil {
			return nil, err
		}
		if userAuth {
			pw := password
			if !needPassword {
				pw = "" // kept for a PASSWORD challenge
			}
			return c.SignIn(ctx, *username, pw, func(o *cognito.SignInOptions) { o.Flow = flow; o.PreferredFactor = factor })
		}
		return c.SignIn(ctx, *username, password, func(o *cognito.SignInOptions) { o.Flow = flow })
	})
	if err != nil {
		return err
	}
	a := &signinAnswerer{env: env, dl: dl, newPassword: newPassword, mfaCode: *mfaCode, mfaType: *mfaType, answer: *answer, attrs: attrs}
	if userAuth {
		a.ua = &userAuthAnswerer{factor: factor, password: password, code: uaFlags.code, credential: uaFlags.credential}
	}
	for range 10 {
		if res.Tokens != nil {
			return printTokens(env.stdout, res.Tokens)
		}
		res, err = a.answer1(ctx, res.Challenge)
		if err != nil {
			return err
		}
	}
	return errors.New("too many challenges")
}

// readPassword asks for a password on the terminal without echo.
func readPassword(env *cliEnv, prompt string) (string, error) {
	if env.readPassword == nil {
		return "", exitf(2, "cannot read a password without echo here; use -password @FILE or $%s", envPassword)
	}
	fmt.Fprint(env.stderr, prompt+": ")
	b, err := env.readPassword()
	fmt.Fprintln(env.stderr)
	if err != nil {
		return "", exitf(2, "reading the password: %v", err)
	}
	pw := secret.TrimNewline(string(b))
	if pw == "" {
		return "", exitf(2, "no password given")
	}
	return pw, nil
}

// signinAnswerer answers challenges from flags, or by asking on stdin when it is
// a terminal.
type signinAnswerer struct {
	env                                   *cliEnv
	dl                                    *deadline.Client
	newPassword, mfaCode, mfaType, answer string
	attrs                                 map[string]string
	in                                    *bufio.Reader
	usedCode                              bool
	// ua answers USER_AUTH's challenges (-flow user-auth).
	ua *userAuthAnswerer
}

// ask reads one answer from the terminal, or reports the challenge as
// unanswerable.
func (a *signinAnswerer) ask(ch *cognito.Challenge, flagName, prompt string) (string, error) {
	if !a.env.stdinIsTerminal {
		if flagName == "" {
			return "", exitf(2, "challenge %s cannot be answered non-interactively", ch.Name)
		}
		return "", exitf(2, "challenge %s needs %s (stdin is not a terminal)", ch.Name, flagName)
	}
	if a.in == nil {
		a.in = bufio.NewReader(a.env.stdin)
	}
	fmt.Fprint(a.env.stderr, prompt+": ")
	line, err := a.in.ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return "", exitf(2, "challenge %s: no answer read: %v", ch.Name, err)
	}
	return line, nil
}

// timed runs one exchange with Cognito under the -timeout deadline.
func (a *signinAnswerer) timed(ctx context.Context, call func(context.Context) (*cognito.Result, error)) (*cognito.Result, error) {
	return deadline.Run(ctx, a.dl, call)
}

func (a *signinAnswerer) answer1(ctx context.Context, ch *cognito.Challenge) (*cognito.Result, error) {
	if res, ok, err := a.answerUserAuth(ctx, ch); ok {
		return res, err
	}
	switch ch.Name {
	case cognito.ChallengeNewPasswordRequired:
		pw := a.newPassword
		if pw == "" {
			if !a.env.stdinIsTerminal {
				return nil, exitf(2, "challenge %s needs -new-password or $%s (stdin is not a terminal)", ch.Name, envNewPassword)
			}
			var err error
			if pw, err = readPassword(a.env, "New password"); err != nil {
				return nil, err
			}
		}
		attrs := map[string]string{}
		for k, v := range a.attrs {
			attrs[k] = v
		}
		for _, name := range ch.RequiredAttributes {
			if attrs[name] == "" && ch.UserAttributes[name] == "" {
				v, err := a.ask(ch, "-attr "+name+"=VALUE", "Value for required attribute "+name)
				if err != nil {
					return nil, err
				}
				attrs[name] = v
			}
		}
		return a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.RespondNewPassword(ctx, pw, attrs) })
	case cognito.ChallengeSMSMFA, cognito.ChallengeEmailOTP, cognito.ChallengeSoftwareTokenMFA:
		code := a.mfaCode
		if code == "" || a.usedCode {
			var err error
			prompt := fmt.Sprintf("%s code", ch.Name)
			if ch.Destination != "" {
				prompt += " (sent to " + ch.Destination + ")"
			}
			if code, err = a.ask(ch, "-mfa-code", prompt); err != nil {
				return nil, err
			}
		}
		a.usedCode = true
		return a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.RespondMFA(ctx, code) })
	case cognito.ChallengeSelectMFAType:
		t := a.mfaType
		if t == "" && a.mfaCode != "" && len(ch.MFAOptions) == 1 {
			t = ch.MFAOptions[0]
		}
		if t == "" {
			var err error
			if t, err = a.ask(ch, "-mfa-type", "MFA type ("+strings.Join(ch.MFAOptions, ", ")+")"); err != nil {
				return nil, err
			}
		}
		return a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.SelectMFA(ctx, t) })
	case cognito.ChallengeCustom:
		ans := a.answer
		if ans == "" {
			var err error
			if ans, err = a.ask(ch, "-answer", "Answer"); err != nil {
				return nil, err
			}
		}
		a.answer = ""
		return a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.RespondCustom(ctx, ans) })
	case cognito.ChallengeMFASetup:
		if !a.env.stdinIsTerminal {
			return nil, exitf(2, "challenge %s cannot be answered non-interactively", ch.Name)
		}
		setup, err := deadline.Run(ctx, a.dl, func(ctx context.Context) (*cognito.TOTPSetup, error) { return ch.SetupTOTP(ctx, "cognitoctl") })
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(a.env.stderr, "Add this authenticator (otpauth URI): %s\n", setup.URI)
		code, err := a.ask(ch, "", "Code from the authenticator")
		if err != nil {
			return nil, err
		}
		return a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.VerifyTOTP(ctx, code, "cognitoctl") })
	}
	return nil, exitf(2, "challenge %s is not supported by cognitoctl", ch.Name)
}
