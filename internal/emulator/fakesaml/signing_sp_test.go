package fakesaml

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegisterSigningServiceProvider: the SP's signing certificate is
// listed in its metadata for signing; what is not a certificate is
// refused, and an SP without one is registered as before.
func TestRegisterSigningServiceProvider(t *testing.T) {
	idp, err := NewIdP(IdPConfig{BaseURL: "http://127.0.0.1:9229", Prefix: "/_emulator/saml/"})
	require.NoError(t, err)
	cert := idp.idp.Certificate.Raw // any certificate will do
	const sp, acs = "urn:amazon:cognito:sp:us-east-1_X", "http://127.0.0.1:9229/saml2/idpresponse"
	for _, tc := range []struct {
		name    string
		cert    []byte
		wantErr bool
		keys    int
	}{
		{"with a certificate", cert, false, 1},
		{"without", nil, false, 0},
		{"not a certificate", []byte("nope"), true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := idp.RegisterSigningServiceProvider(sp, tc.cert, acs)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			ed, err := spProvider{idp}.GetServiceProvider(nil, sp)
			require.NoError(t, err)
			kd := ed.SPSSODescriptors[0].KeyDescriptors
			require.Len(t, kd, tc.keys)
			if tc.keys > 0 {
				assert.Equal(t, "signing", kd[0].Use)
				assert.NotEmpty(t, kd[0].KeyInfo.X509Data.X509Certificates[0].Data)
			}
		})
	}
}
