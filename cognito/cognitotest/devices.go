package cognitotest

import (
	"sort"
	"time"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// newDevice registers an unconfirmed device for u (pools with device
// tracking hand its keys out as NewDeviceMetadata).
func (s *Server) newDevice(u *user, now time.Time) *device {
	d := &device{Key: s.opts.Region + "_" + s.uuid(), GroupKey: "-" + s.randString(9, alnum), Created: now, Modified: now, LastAuth: now}
	if u.Devices == nil {
		u.Devices = map[string]*device{}
	}
	u.Devices[d.Key] = d
	return d
}

// A DEVICE_KEY that names none of the user's devices (forgotten with
// ForgetDevice or AdminForgetDevice, or never issued) is refused with
// ResourceNotFoundException "Device does not exist.", so that clients drop
// the device and sign in again without it. Where, as Cognito does it:
//
//   - USER_SRP_AUTH, and CUSTOM_AUTH started with SRP_A: InitiateAuth takes
//     the key; the PASSWORD_VERIFIER answer is refused once the proof is
//     verified, and the session survives (a few times), so the answer can
//     be resent without DEVICE_KEY as amazon-cognito-identity-js and the
//     Amplify libraries do. A PASSWORD_VERIFIER answer without DEVICE_KEY
//     drops a stale key given to InitiateAuth.
//   - USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH: at
//     InitiateAuth, once the password is verified.
//   - CUSTOM_AUTH without SRP_A: at InitiateAuth, before the hooks run.
//   - REFRESH_TOKEN_AUTH: at InitiateAuth, once the refresh token is
//     accepted.
//   - Any other challenge answer carrying an unknown DEVICE_KEY: refused
//     before the answer is judged; the session survives a few times.
//   - DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER: for a device forgotten
//     since the challenge was issued.
func errDeviceNotFound() error { return errorf("ResourceNotFoundException", "Device does not exist.") }

// unknownDevice reports whether key is set but names none of u's devices.
func unknownDevice(u *user, key string) bool { return key != "" && u.Devices[key] == nil }

// deviceRetry answers errDeviceNotFound for a challenge answer and keeps
// its session for a resend without DEVICE_KEY, at most
// maxChallengeFailures times.
func (s *Server) deviceRetry(p *pool, sess *authSession) error {
	sess.Failures++
	if sess.Failures < maxChallengeFailures {
		s.putBack(p, sess)
	}
	return errDeviceNotFound()
}

type deviceInput struct {
	AccessToken                string `json:"AccessToken"`
	DeviceKey                  string `json:"DeviceKey"`
	DeviceName                 string `json:"DeviceName"`
	DeviceRememberedStatus     string `json:"DeviceRememberedStatus"`
	DeviceSecretVerifierConfig *struct {
		PasswordVerifier string `json:"PasswordVerifier"`
		Salt             string `json:"Salt"`
	} `json:"DeviceSecretVerifierConfig"`
	Limit           int32  `json:"Limit"`
	PaginationToken string `json:"PaginationToken"`
	UserPoolId      string `json:"UserPoolId"`
	Username        string `json:"Username"`
}

func deviceWire(d *device) map[string]any {
	attrs := []attributeType{{Name: "device_status", Value: strp("valid")}}
	if d.Name != "" {
		attrs = append(attrs, attributeType{Name: "device_name", Value: strp(d.Name)})
	}
	if d.Remembered != "" {
		attrs = append(attrs, attributeType{Name: "dev:device_remembered_status", Value: strp(d.Remembered)})
	}
	return map[string]any{"DeviceKey": d.Key, "DeviceAttributes": attrs, "DeviceCreateDate": ep(d.Created),
		"DeviceLastModifiedDate": ep(d.Modified), "DeviceLastAuthenticatedDate": ep(d.LastAuth)}
}

func strp(s string) *string { return &s }

// deviceSubject resolves the user (by access token, or admin pool+user)
// and, when key is set, the device.
func (s *Server) deviceSubject(c *call, in *deviceInput, admin bool) (*user, *device, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	var u *user
	if admin {
		p, err := s.pool(in.UserPoolId)
		if err != nil {
			return nil, nil, err
		}
		if u, err = s.mustUser(p, in.Username); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if _, u, _, err = s.authAccess(in.AccessToken, c.now); err != nil {
			return nil, nil, err
		}
	}
	if in.DeviceKey == "" {
		return u, nil, nil
	}
	d := u.Devices[in.DeviceKey]
	if d == nil {
		return nil, nil, errDeviceNotFound()
	}
	return u, d, nil
}

func opConfirmDevice(s *Server, c *call) (any, error) {
	var in deviceInput
	_, d, err := s.deviceSubject(c, &in, false)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, required("deviceKey", "")
	}
	cfg := in.DeviceSecretVerifierConfig
	if cfg == nil || cfg.PasswordVerifier == "" || cfg.Salt == "" {
		return nil, errInvalidParam("DeviceSecretVerifierConfig with PasswordVerifier and Salt is required.")
	}
	v, err1 := srp.ParseBase64Int(cfg.PasswordVerifier)
	salt, err2 := srp.ParseBase64Int(cfg.Salt)
	if err1 != nil || err2 != nil || v.Sign() <= 0 || salt.Sign() <= 0 {
		return nil, errInvalidParam("Invalid DeviceSecretVerifierConfig.")
	}
	if d.Confirmed {
		return nil, errNotAuthorized("Device has already been confirmed.")
	}
	d.Verifier, d.Salt, d.Confirmed, d.Name, d.Modified = v.Text(16), salt.Text(16), true, in.DeviceName, c.now
	p := s.poolOfUser(in.AccessToken)
	necessary := p != nil && p.DeviceOnPrompt
	if !necessary {
		d.Remembered = "remembered"
	}
	return map[string]any{"UserConfirmationNecessary": necessary}, nil
}

// poolOfUser returns the pool named by an access token's issuer (already
// verified by the caller).
func (s *Server) poolOfUser(accessToken string) *pool {
	p, _, err := s.verifyJWT(accessToken, "access")
	if err != nil {
		return nil
	}
	return p
}

func (s *Server) updateDeviceStatus(c *call, admin bool) (any, error) {
	var in deviceInput
	_, d, err := s.deviceSubject(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, required("deviceKey", "")
	}
	switch in.DeviceRememberedStatus {
	case "remembered", "not_remembered":
	default:
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]", in.DeviceRememberedStatus)
	}
	d.Remembered, d.Modified = in.DeviceRememberedStatus, c.now
	return map[string]any{}, nil
}

func opUpdateDeviceStatus(s *Server, c *call) (any, error)      { return s.updateDeviceStatus(c, false) }
func opAdminUpdateDeviceStatus(s *Server, c *call) (any, error) { return s.updateDeviceStatus(c, true) }

func (s *Server) getDevice(c *call, admin bool) (any, error) {
	var in deviceInput
	_, d, err := s.deviceSubject(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, required("deviceKey", "")
	}
	return map[string]any{"Device": deviceWire(d)}, nil
}

func opGetDevice(s *Server, c *call) (any, error)      { return s.getDevice(c, false) }
func opAdminGetDevice(s *Server, c *call) (any, error) { return s.getDevice(c, true) }

func (s *Server) listDevices(c *call, admin bool) (any, error) {
	var in deviceInput
	u, _, err := s.deviceSubject(c, &in, admin)
	if err != nil {
		return nil, err
	}
	ds := make([]*device, 0, len(u.Devices))
	for _, d := range u.Devices {
		if d.Confirmed {
			ds = append(ds, d)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Key < ds[j].Key })
	start, end, next, err := page(len(ds), in.Limit, in.PaginationToken, 60)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, d := range ds[start:end] {
		out = append(out, deviceWire(d))
	}
	res := map[string]any{"Devices": out}
	if next != "" {
		res["PaginationToken"] = next
	}
	return res, nil
}

func opListDevices(s *Server, c *call) (any, error)      { return s.listDevices(c, false) }
func opAdminListDevices(s *Server, c *call) (any, error) { return s.listDevices(c, true) }

func (s *Server) forgetDevice(c *call, admin bool) (any, error) {
	var in deviceInput
	u, d, err := s.deviceSubject(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, required("deviceKey", "")
	}
	delete(u.Devices, d.Key)
	return nil, nil
}

func opForgetDevice(s *Server, c *call) (any, error)      { return s.forgetDevice(c, false) }
func opAdminForgetDevice(s *Server, c *call) (any, error) { return s.forgetDevice(c, true) }
