package cognito

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// Device is a remembered device as the client keeps it: the keys Cognito
// assigned and the random device password whose verifier was registered
// with ConfirmDevice. Password is a secret; String never prints it.
type Device struct {
	// Key is the device key Cognito assigned (NewDeviceMetadata).
	Key string
	// GroupKey is the device group key, the SRP realm of device checks.
	GroupKey string
	// Password is the random device secret whose verifier ConfirmDevice
	// registered.
	Password string
}

// String describes d without its password.
func (d Device) String() string {
	return fmt.Sprintf("cognito.Device{Key: %q, GroupKey: %q, Password: %s}", d.Key, d.GroupKey, redacted(d.Password))
}

// GoString is String, so that %#v does not print the password either.
func (d Device) GoString() string { return d.String() }

// DeviceStore keeps remembered devices per user, so that later sign-ins
// skip MFA by answering DEVICE_SRP_AUTH. Implementations must be safe for
// concurrent use. Keep the store on the user's own machine: Password lets
// whoever holds it pass the device check.
type DeviceStore interface {
	// LoadDevice returns the device remembered for username in the pool,
	// or nil (and no error) when there is none.
	LoadDevice(ctx context.Context, userPoolID, username string) (*Device, error)
	// SaveDevice remembers d for username in the pool.
	SaveDevice(ctx context.Context, userPoolID, username string, d Device) error
	// DeleteDevice forgets the device remembered for username, if any.
	DeleteDevice(ctx context.Context, userPoolID, username string) error
}

// MemoryDeviceStore is a DeviceStore in memory, safe for concurrent use.
// Devices are lost when the process exits.
type MemoryDeviceStore struct {
	mu      sync.Mutex
	devices map[[2]string]Device
}

var _ DeviceStore = (*MemoryDeviceStore)(nil)

// NewMemoryDeviceStore returns an empty MemoryDeviceStore.
func NewMemoryDeviceStore() *MemoryDeviceStore {
	return &MemoryDeviceStore{devices: map[[2]string]Device{}}
}

// LoadDevice implements DeviceStore.
func (s *MemoryDeviceStore) LoadDevice(_ context.Context, userPoolID, username string) (*Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[[2]string{userPoolID, username}]
	if !ok {
		return nil, nil
	}
	return &d, nil
}

// SaveDevice implements DeviceStore.
func (s *MemoryDeviceStore) SaveDevice(_ context.Context, userPoolID, username string, d Device) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devices[[2]string{userPoolID, username}] = d
	return nil
}

// DeleteDevice implements DeviceStore.
func (s *MemoryDeviceStore) DeleteDevice(_ context.Context, userPoolID, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.devices, [2]string{userPoolID, username})
	return nil
}

// loadDevice looks the device up under each name in turn (the Cognito
// username, then what the user typed).
func (c *Client) loadDevice(ctx context.Context, names ...string) (*Device, error) {
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		d, err := c.devices.LoadDevice(ctx, c.userPoolID, n)
		if err != nil {
			return nil, fmt.Errorf("cognito: loading remembered device: %w", err)
		}
		if d != nil && d.Key != "" {
			return d, nil
		}
	}
	return nil, nil
}

// forgetLocalDevice removes the device from the store under every name.
func (c *Client) forgetLocalDevice(ctx context.Context, names ...string) error {
	var errs []error
	for _, n := range names {
		if n == "" {
			continue
		}
		if err := c.devices.DeleteDevice(ctx, c.userPoolID, n); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cognito: forgetting remembered device: %w", err)
	}
	return nil
}

// DeviceConfirmation is the result of ConfirmDevice.
type DeviceConfirmation struct {
	// Device is the device as saved in the DeviceStore.
	Device Device
	// UserConfirmationNecessary is true when the pool lets the user choose
	// whether to remember devices ("user opt-in"): call UpdateDeviceStatus
	// with remembered=true to remember it.
	UserConfirmationNecessary bool
}

// String describes the confirmation without the device password.
func (d DeviceConfirmation) String() string {
	return fmt.Sprintf("cognito.DeviceConfirmation{Device: %s, UserConfirmationNecessary: %t}", d.Device, d.UserConfirmationNecessary)
}

// ConfirmDevice registers the new device of a sign-in (t.NewDevice) with a
// fresh random device password and its SRP verifier, and saves it in the
// DeviceStore under the user's Cognito username (and the name typed at
// sign-in). Later sign-ins then answer DEVICE_SRP_AUTH automatically.
// deviceName is a label shown in ListDevices (may be empty).
func (c *Client) ConfirmDevice(ctx context.Context, t *Tokens, deviceName string) (*DeviceConfirmation, error) {
	if t == nil || t.NewDevice == nil {
		return nil, fmt.Errorf("cognito: ConfirmDevice: %w: the sign-in returned no new device", ErrInvalidParameter)
	}
	dv, err := srp.NewDeviceVerifier(t.NewDevice.GroupKey, t.NewDevice.Key, c.rand)
	if err != nil {
		return nil, fmt.Errorf("cognito: ConfirmDevice: %w", err)
	}
	in := &cip.ConfirmDeviceInput{
		AccessToken: aws.String(t.AccessToken),
		DeviceKey:   aws.String(t.NewDevice.Key),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{
			PasswordVerifier: aws.String(dv.PasswordVerifier),
			Salt:             aws.String(dv.Salt),
		},
	}
	if deviceName != "" {
		in.DeviceName = aws.String(deviceName)
	}
	out, err := c.api.ConfirmDevice(ctx, in, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("ConfirmDevice", err)
	}
	d := Device{Key: t.NewDevice.Key, GroupKey: t.NewDevice.GroupKey, Password: dv.Password}
	for _, n := range uniqueNames(t.Username, t.signInName) {
		if err := c.devices.SaveDevice(ctx, c.userPoolID, n, d); err != nil {
			return nil, fmt.Errorf("cognito: saving remembered device: %w", err)
		}
	}
	return &DeviceConfirmation{Device: d, UserConfirmationNecessary: out.UserConfirmationNecessary}, nil
}

func uniqueNames(names ...string) []string {
	var out []string
	for _, n := range names {
		if n == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

// UpdateDeviceStatus marks a device remembered or not remembered.
func (c *Client) UpdateDeviceStatus(ctx context.Context, accessToken, deviceKey string, remembered bool) error {
	status := types.DeviceRememberedStatusTypeNotRemembered
	if remembered {
		status = types.DeviceRememberedStatusTypeRemembered
	}
	_, err := c.api.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{
		AccessToken:            aws.String(accessToken),
		DeviceKey:              aws.String(deviceKey),
		DeviceRememberedStatus: status,
	}, c.apiOptions...)
	return wrapErr("UpdateDeviceStatus", err)
}

// DeviceInfo is a tracked device as ListDevices reports it.
type DeviceInfo struct {
	// Key is the device key.
	Key string
	// Attributes are the device's attributes: device_name, device_status
	// ("remembered" or "not_remembered"), last_ip_used…
	Attributes map[string]string
	// Created, LastModified and LastAuthenticated are the device's dates.
	Created, LastModified, LastAuthenticated time.Time
}

// Name returns the device_name attribute.
func (d DeviceInfo) Name() string { return d.Attributes["device_name"] }

// Remembered reports whether device_status is "remembered".
func (d DeviceInfo) Remembered() bool { return d.Attributes["device_status"] == "remembered" }

// ListDevices returns every device tracked for the signed-in user,
// following pagination.
func (c *Client) ListDevices(ctx context.Context, accessToken string) ([]DeviceInfo, error) {
	var out []DeviceInfo
	var next *string
	for page := 0; page < 1000; page++ {
		resp, err := c.api.ListDevices(ctx, &cip.ListDevicesInput{
			AccessToken:     aws.String(accessToken),
			Limit:           aws.Int32(60),
			PaginationToken: next,
		}, c.apiOptions...)
		if err != nil {
			return nil, wrapErr("ListDevices", err)
		}
		for _, d := range resp.Devices {
			out = append(out, DeviceInfo{
				Key:               aws.ToString(d.DeviceKey),
				Attributes:        attributeMap(d.DeviceAttributes),
				Created:           aws.ToTime(d.DeviceCreateDate),
				LastModified:      aws.ToTime(d.DeviceLastModifiedDate),
				LastAuthenticated: aws.ToTime(d.DeviceLastAuthenticatedDate),
			})
		}
		if aws.ToString(resp.PaginationToken) == "" {
			return out, nil
		}
		next = resp.PaginationToken
	}
	return nil, fmt.Errorf("cognito: ListDevices: %w: pagination does not end", ErrInvalidResponse)
}

// ForgetDevice stops tracking a device. When username is not empty and the
// DeviceStore holds that device for that user, it is removed locally too.
func (c *Client) ForgetDevice(ctx context.Context, accessToken, deviceKey, username string) error {
	_, err := c.api.ForgetDevice(ctx, &cip.ForgetDeviceInput{
		AccessToken: aws.String(accessToken),
		DeviceKey:   aws.String(deviceKey),
	}, c.apiOptions...)
	if err != nil {
		return wrapErr("ForgetDevice", err)
	}
	if username == "" {
		return nil
	}
	d, err := c.loadDevice(ctx, username)
	if err != nil {
		return err
	}
	if d != nil && d.Key == deviceKey {
		return c.forgetLocalDevice(ctx, username)
	}
	return nil
}

// RememberedDevice returns the device the DeviceStore holds for username,
// or nil.
func (c *Client) RememberedDevice(ctx context.Context, username string) (*Device, error) {
	return c.loadDevice(ctx, username)
}
