package userpool

import "strings"

// App-client settings CreateUserPoolClient and UpdateUserPoolClient keep
// and DescribeUserPoolClient returns as given: the propagation of
// additional user context data and the Pinpoint analytics configuration.

// analyticsConfiguration is an app client's AnalyticsConfiguration.
type analyticsConfiguration struct {
	ApplicationId  *string `json:"ApplicationId,omitempty"`
	ApplicationArn *string `json:"ApplicationArn,omitempty"`
	RoleArn        *string `json:"RoleArn,omitempty"`
	ExternalId     *string `json:"ExternalId,omitempty"`
	UserDataShared *bool   `json:"UserDataShared,omitempty"`
}

// applyClientSettings checks and sets in's settings on cl (an update
// replaces them, as Cognito's UpdateUserPoolClient does).
func applyClientSettings(cl *client, in *clientInput) error {
	cl.PropagateUserContext = in.EnablePropagateAdditionalUserContextData != nil && *in.EnablePropagateAdditionalUserContextData
	if cl.PropagateUserContext && cl.Secret == "" && !in.GenerateSecret {
		return errInvalidParam("EnablePropagateAdditionalUserContextData requires an app client with a secret.")
	}
	a := in.AnalyticsConfiguration
	if a != nil {
		hasID := a.ApplicationId != nil && *a.ApplicationId != ""
		hasArn := a.ApplicationArn != nil && *a.ApplicationArn != ""
		if !hasID && !hasArn {
			return errInvalidParam("AnalyticsConfiguration needs an ApplicationId or an ApplicationArn.")
		}
		if hasID && (a.RoleArn == nil || a.ExternalId == nil) {
			return errInvalidParam("AnalyticsConfiguration with an ApplicationId needs a RoleArn and an ExternalId.")
		}
		if hasArn && !strings.HasPrefix(*a.ApplicationArn, "arn:") {
			return errInvalidParam("AnalyticsConfiguration.ApplicationArn must be an ARN.")
		}
	}
	cl.Analytics = a
	return nil
}

// clientSettingsWire adds cl's settings to its DescribeUserPoolClient form.
func clientSettingsWire(cl *client, m map[string]any) {
	m["EnablePropagateAdditionalUserContextData"] = cl.PropagateUserContext
	if cl.Analytics != nil {
		m["AnalyticsConfiguration"] = cl.Analytics
	}
}
