package userpool

import "strings"

// CognitoIssuer is Cognito's issuer of the pool poolID's tokens,
// "https://cognito-idp.{region}.amazonaws.com/{poolId}", the region being
// the pool ID's prefix (defaultRegion when the ID has none).
func CognitoIssuer(poolID, defaultRegion string) string {
	region := defaultRegion
	if i := strings.IndexByte(poolID, '_'); i > 0 {
		region = poolID[:i]
	}
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}

// Issuer is the iss of the tokens of the pool poolID: Cognito's form when
// Options.CognitoIssuer is set, else the server's URL and the pool ID.
// Either way the keys and discovery stay at the server (JWKSURL).
func (s *Server) Issuer(poolID string) string {
	if s.opts.CognitoIssuer {
		return CognitoIssuer(poolID, s.opts.Region)
	}
	return s.urlLocked() + "/" + poolID
}

// JWKSURL is where the server serves the pool poolID's keys, whatever the
// tokens' issuer.
func (s *Server) JWKSURL(poolID string) string {
	return s.urlLocked() + "/" + poolID + "/.well-known/jwks.json"
}
