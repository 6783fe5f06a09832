package userpool

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
	s.keepForRetry(p, sess)
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

func (in *deviceInput) poolID() string { return in.UserPoolId }
func (in *deviceInput) subject() (accessToken, username string) {
	return in.AccessToken, in.Username
}

// subjectInput is the input of an operation on the caller's own user
// (named by AccessToken) that has an Admin twin (naming UserPoolId and
// Username).
type subjectInput interface {
	poolInput
	subject() (accessToken, username string)
}

// subjectUser decodes in and finds its user: for the Admin operation by
// pool and username, else by the access token.
func (s *Server) subjectUser(c *call, in subjectInput, admin bool) (*pool, *user, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	token, username := in.subject()
	if !admin {
		p, u, _, err := s.authAccess(token, c.now)
		return p, u, err
	}
	p, err := s.pool(in.poolID())
	if err != nil {
		return nil, nil, err
	}
	u, err := s.mustUser(p, username)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// deviceSubject resolves the pool and user (by access token, or admin
// pool+user) and, when DeviceKey is set, the device.
func (s *Server) deviceSubject(c *call, in *deviceInput, admin bool) (*pool, *user, *device, error) {
	p, u, err := s.subjectUser(c, in, admin)
	if err != nil {
		return nil, nil, nil, err
	}
	if in.DeviceKey == "" {
		return p, u, nil, nil
	}
	d := u.Devices[in.DeviceKey]
	if d == nil {
		return nil, nil, nil, errDeviceNotFound()
	}
	return p, u, d, nil
}

// subjectDevice is deviceSubject for the operations on one device, which
// need DeviceKey.
func (s *Server) subjectDevice(c *call, in *deviceInput, admin bool) (*pool, *user, *device, error) {
	p, u, d, err := s.deviceSubject(c, in, admin)
	if err != nil {
		return nil, nil, nil, err
	}
	if d == nil {
		return nil, nil, nil, required("deviceKey", "")
	}
	return p, u, d, nil
}

func opConfirmDevice(s *Server, c *call) (any, error) {
	var in deviceInput
	p, _, d, err := s.subjectDevice(c, &in, false)
	if err != nil {
		return nil, err
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
	necessary := p.DeviceOnPrompt
	if !necessary {
		d.Remembered = "remembered"
	}
	return map[string]any{"UserConfirmationNecessary": necessary}, nil
}

func (s *Server) updateDeviceStatus(c *call, admin bool) (any, error) {
	var in deviceInput
	_, _, d, err := s.subjectDevice(c, &in, admin)
	if err != nil {
		return nil, err
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
	_, _, d, err := s.subjectDevice(c, &in, admin)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Device": deviceWire(d)}, nil
}

func opGetDevice(s *Server, c *call) (any, error)      { return s.getDevice(c, false) }
func opAdminGetDevice(s *Server, c *call) (any, error) { return s.getDevice(c, true) }

func (s *Server) listDevices(c *call, admin bool) (any, error) {
	var in deviceInput
	_, u, _, err := s.deviceSubject(c, &in, admin)
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
	return listPage(ds, in.Limit, in.PaginationToken, "Devices", "PaginationToken", func(d *device) any { return deviceWire(d) })
}

func opListDevices(s *Server, c *call) (any, error)      { return s.listDevices(c, false) }
func opAdminListDevices(s *Server, c *call) (any, error) { return s.listDevices(c, true) }

func (s *Server) forgetDevice(c *call, admin bool) (any, error) {
	var in deviceInput
	_, u, d, err := s.subjectDevice(c, &in, admin)
	if err != nil {
		return nil, err
	}
	delete(u.Devices, d.Key)
	return nil, nil
}

func opForgetDevice(s *Server, c *call) (any, error)      { return s.forgetDevice(c, false) }
func opAdminForgetDevice(s *Server, c *call) (any, error) { return s.forgetDevice(c, true) }
