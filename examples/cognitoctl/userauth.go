package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

// signin -flow user-auth: Cognito's choice-based sign-in (USER_AUTH).

// envCode is the environment variable of -code.
const envCode = "COGNITO_CODE"

// userAuthFlow is the -flow value of USER_AUTH.
const userAuthFlow = "user-auth"

// factorNames are the -factor values.
var factorNames = []struct {
	name   string
	factor cognito.Factor
}{
	{"password", cognito.FactorPassword},
	{"password-srp", cognito.FactorPasswordSRP},
	{"email-otp", cognito.FactorEmailOTP},
	{"sms-otp", cognito.FactorSMSOTP},
	{"web-authn", cognito.FactorWebAuthn},
}

// parseFactor reads a -factor value (or Cognito's own name of the factor).
func parseFactor(s string) (cognito.Factor, error) {
	for _, f := range factorNames {
		if strings.EqualFold(s, f.name) || strings.EqualFold(s, string(f.factor)) {
			return f.factor, nil
		}
	}
	return "", exitf(2, "-factor must be one of %s, not %q", factorList(nil), s)
}

// factorList names fs (every factor when nil) as -factor values.
func factorList(fs []cognito.Factor) string {
	var names []string
	for _, f := range factorNames {
		if fs == nil || contains(fs, f.factor) {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ", ")
}

func contains(fs []cognito.Factor, f cognito.Factor) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// userAuthFlags are signin's flags for -flow user-auth.
type userAuthFlags struct {
	factorName string
	code       *secret.Flag
	credential *secret.Flag
}

func (f *userAuthFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.factorName, "factor", "", "with -flow user-auth: the first factor, one of "+factorList(nil)+" (default: list the offered ones and ask)")
	f.code = secret.Define(fs, "code", envCode, "with -flow user-auth: the sign-in code Cognito e-mailed or texted (asked for when stdin is a terminal)")
	f.credential = secret.Define(fs, "credential", "", "with -flow user-auth -factor web-authn: the passkey assertion JSON (PublicKeyCredential.toJSON()) for the options printed on stderr")
}

// userAuthAnswerer answers USER_AUTH's challenges.
type userAuthAnswerer struct {
	factor     cognito.Factor
	password   string
	code       *secret.Flag
	codeUsed   bool
	credential *secret.Flag
}

// answerUserAuth answers ch when it is a USER_AUTH challenge; ok is false
// for the others.
func (a *signinAnswerer) answerUserAuth(ctx context.Context, ch *cognito.Challenge) (res *cognito.Result, ok bool, err error) {
	ua := a.ua
	if ua == nil {
		return nil, false, nil
	}
	switch ch.Name {
	case cognito.ChallengeSelectFactor:
		f := ua.factor
		if f == "" || !contains(ch.AvailableFactors, f) {
			offered := factorList(ch.AvailableFactors)
			if f != "" {
				fmt.Fprintf(a.env.stderr, "%s is not offered for this user; offered: %s\n", f, offered)
			}
			if !a.env.stdinIsTerminal {
				return nil, true, exitf(2, "choose a first factor with -factor; offered: %s", offered)
			}
			ans, err := a.ask(ch, "-factor", "First factor ("+offered+")")
			if err != nil {
				return nil, true, err
			}
			if f, err = parseFactor(ans); err != nil {
				return nil, true, err
			}
		}
		res, err = a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.SelectFactor(ctx, f) })
	case cognito.ChallengePassword, cognito.ChallengePasswordSRP:
		pw := ua.password
		if pw == "" {
			if !a.env.stdinIsTerminal {
				return nil, true, exitf(2, "challenge %s needs -password or $%s (stdin is not a terminal)", ch.Name, envPassword)
			}
			if pw, err = readPassword(a.env, "Password"); err != nil {
				return nil, true, err
			}
		}
		res, err = a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.AnswerPassword(ctx, pw) })
	case cognito.ChallengeEmailOTP, cognito.ChallengeSMSOTP:
		var code string
		if ua.code.Given(a.env.getenv) && !ua.codeUsed {
			if code, err = secretValue(a.env, ua.code); err != nil {
				return nil, true, err
			}
		} else {
			prompt := fmt.Sprintf("%s code", ch.Name)
			if ch.Destination != "" {
				prompt += " (sent to " + ch.Destination + ")"
			}
			if code, err = a.ask(ch, "-code", prompt); err != nil {
				return nil, true, err
			}
		}
		ua.codeUsed = true
		res, err = a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.RespondMFA(ctx, code) })
	case cognito.ChallengeWebAuthn:
		// cognitoctl is not an authenticator: it shows the options and takes
		// the assertion an authenticator made for them.
		fmt.Fprintf(a.env.stderr, "Passkey request options (give them to navigator.credentials.get via PublicKeyCredential.parseRequestOptionsFromJSON):\n%s\n", ch.CredentialRequestOptions.JSON())
		var cred string
		switch {
		case ua.credential.Given(a.env.getenv):
			if cred, err = secretValue(a.env, ua.credential); err != nil {
				return nil, true, err
			}
		default:
			if cred, err = a.ask(ch, "-credential @FILE", "Assertion JSON (one line)"); err != nil {
				return nil, true, err
			}
		}
		res, err = a.timed(ctx, func(ctx context.Context) (*cognito.Result, error) { return ch.AnswerWebAuthn(ctx, []byte(cred)) })
	default:
		return nil, false, nil
	}
	return res, true, err
}
