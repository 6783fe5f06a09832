package userpool

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"time"
)

// A user pool's SAML signing certificate, as GetSigningCertificate
// returns it: a self-signed X.509 certificate for an RSA-2048 key of the
// pool, made on first use (by GetSigningCertificate or by the first
// signed SAML request) and kept with the pool's state. As Cognito does,
// the pool signs the AuthnRequests it sends to a SAML identity provider
// whose ProviderDetails have RequestSigningAlgorithm "rsa-sha256" with
// this key (the HTTP-Redirect binding's SigAlg and Signature parameters),
// so an identity provider that holds the certificate can check them. The
// certificate is valid for ten years from its issue, as Cognito's; unlike
// Cognito, the emulator does not issue a new one each year.

func init() {
	registerTarget(idpTarget, map[string]op{"GetSigningCertificate": {fn: opGetSigningCertificate}})
}

// samlCertValidity is how long a pool's signing certificate is valid.
const samlCertValidity = 10 * 365 * 24 * time.Hour

// sigAlgRSASHA256 is the XML-DSig URI of RSA-SHA256, the only
// RequestSigningAlgorithm ("rsa-sha256") Cognito offers.
const sigAlgRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

// samlSigningKey returns the pool's SAML signing key and certificate,
// making them on first use (s.mu held; the pool's value changes, so the
// next save keeps them).
func (s *Server) samlSigningKey(p *pool, now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	if len(p.SAMLKeyDER) > 0 && len(p.SAMLCertDER) > 0 {
		key, kerr := x509.ParsePKCS1PrivateKey(p.SAMLKeyDER)
		cert, cerr := x509.ParseCertificate(p.SAMLCertDER)
		if kerr != nil || cerr != nil || !key.PublicKey.Equal(cert.PublicKey) {
			return nil, nil, errorf("InternalErrorException", "cognitotest: stored SAML signing key of pool %s is corrupt", p.ID)
		}
		return key, cert, nil
	}
	key, err := GenerateKey(s.opts.Rand)
	if err != nil {
		return nil, nil, errorf("InternalErrorException", "cognitotest: generate key: %v", err)
	}
	serial := new(big.Int).SetBytes(s.randBytes(16))
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)), // positive, never zero
		Subject:      pkix.Name{CommonName: SAMLEntityID(p.ID), Organization: []string{"Amazon Cognito (emulated)"}},
		NotBefore:    now.Add(-time.Minute).UTC(), NotAfter: now.Add(samlCertValidity).UTC(),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(s.opts.Rand, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, errorf("InternalErrorException", "cognitotest: make the signing certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, errorf("InternalErrorException", "cognitotest: make the signing certificate: %v", err)
	}
	p.SAMLKeyDER, p.SAMLCertDER = x509.MarshalPKCS1PrivateKey(key), der
	return key, cert, nil
}

// GetSigningCertificate answers the certificate as Cognito does: its DER,
// base64-encoded on one line, without PEM headers.
func opGetSigningCertificate(s *Server, c *call) (any, error) {
	var in poolIDInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if len(p.SAMLCertDER) == 0 {
		if _, _, err := s.samlSigningKey(p, c.now); err != nil {
			return nil, err
		}
	}
	return map[string]any{"Certificate": base64.StdEncoding.EncodeToString(p.SAMLCertDER)}, nil
}

// samlSigner is what signs a pool's AuthnRequests: its key, and its
// certificate (DER) for the identity provider.
type samlSigner struct {
	key  *rsa.PrivateKey
	cert []byte
}

// samlRequestSigner returns the signer of the pool's AuthnRequests to
// idp: nil when idp is not a SAML provider that asks for signed requests
// (s.mu held).
func (s *Server) samlRequestSigner(p *pool, idp *identityProvider, now time.Time) (*samlSigner, error) {
	if idp.Type != typeSAML || idp.Details["RequestSigningAlgorithm"] != "rsa-sha256" {
		return nil, nil
	}
	key, cert, err := s.samlSigningKey(p, now)
	if err != nil {
		return nil, err
	}
	return &samlSigner{key: key, cert: cert.Raw}, nil
}

// errAlreadySigned reports a redirect URL that carries a signature.
var errAlreadySigned = errors.New("userpool: the SAML redirect is already signed")

// signRedirect signs an HTTP-Redirect binding URL carrying a SAMLRequest
// (SAML 2.0 Bindings, section 3.4.4.1): RSA-SHA256 over
// "SAMLRequest=…&RelayState=…&SigAlg=…", the values as they are encoded
// in the URL, with the SigAlg and Signature parameters appended.
func signRedirect(loc string, key *rsa.PrivateKey) (string, error) {
	_, query, ok := strings.Cut(loc, "?")
	if !ok {
		return "", errors.New("userpool: the SAML redirect has no query")
	}
	var req, relay string
	for _, part := range strings.Split(query, "&") {
		switch k, _, _ := strings.Cut(part, "="); k {
		case "SAMLRequest":
			req = part
		case "RelayState":
			relay = part
		case "SigAlg", "Signature":
			return "", errAlreadySigned
		}
	}
	if req == "" {
		return "", errors.New("userpool: the SAML redirect has no SAMLRequest")
	}
	signed := req
	if relay != "" {
		signed += "&" + relay
	}
	sigAlg := "SigAlg=" + url.QueryEscape(sigAlgRSASHA256)
	signed += "&" + sigAlg
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return loc + "&" + sigAlg + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig)), nil
}
