package userpool

import (
	"net/netip"
	"time"
)

// SetRiskConfiguration and DescribeRiskConfiguration: threat protection's
// settings for a pool, or for one of its app clients, whose own settings
// replace the pool's for it. They are validated, stored and answered as
// given; the emulator does not act on them (it evaluates no risk).
//
// Cognito takes and answers them for any pool (its threat protection
// acts on them only with UserPoolAddOns, on the PLUS plan), so no plan is
// checked here. SetRiskConfiguration with none of the three settings
// resets them: the pool's to none, an app client's to the pool's.

// riskConfig is one stored risk configuration, in the wire's shape.
type riskConfig struct {
	Compromised *compromisedConfig `json:"CompromisedCredentialsRiskConfiguration,omitempty"`
	Takeover    *takeoverConfig    `json:"AccountTakeoverRiskConfiguration,omitempty"`
	Exceptions  *riskExceptions    `json:"RiskExceptionConfiguration,omitempty"`
	Modified    time.Time          `json:"modified"`
}

type compromisedConfig struct {
	EventFilter []string `json:"EventFilter,omitempty"`
	Actions     *struct {
		EventAction string `json:"EventAction"`
	} `json:"Actions"`
}

type takeoverConfig struct {
	NotifyConfiguration *notifyConfig    `json:"NotifyConfiguration,omitempty"`
	Actions             *takeoverActions `json:"Actions"`
}

type notifyConfig struct {
	From          *string      `json:"From,omitempty"`
	ReplyTo       *string      `json:"ReplyTo,omitempty"`
	SourceArn     string       `json:"SourceArn"`
	BlockEmail    *notifyEmail `json:"BlockEmail,omitempty"`
	NoActionEmail *notifyEmail `json:"NoActionEmail,omitempty"`
	MfaEmail      *notifyEmail `json:"MfaEmail,omitempty"`
}

type notifyEmail struct {
	Subject  string  `json:"Subject"`
	HtmlBody *string `json:"HtmlBody,omitempty"`
	TextBody *string `json:"TextBody,omitempty"`
}

type takeoverActions struct {
	LowAction    *takeoverAction `json:"LowAction,omitempty"`
	MediumAction *takeoverAction `json:"MediumAction,omitempty"`
	HighAction   *takeoverAction `json:"HighAction,omitempty"`
}

type takeoverAction struct {
	Notify      bool   `json:"Notify"`
	EventAction string `json:"EventAction"`
}

type riskExceptions struct {
	BlockedIPRangeList []string `json:"BlockedIPRangeList,omitempty"`
	SkippedIPRangeList []string `json:"SkippedIPRangeList,omitempty"`
}

type riskInput struct {
	UserPoolId string `json:"UserPoolId"`
	ClientId   string `json:"ClientId"`
	riskConfig
}

func (in *riskInput) poolID() string { return in.UserPoolId }

// allEventFilters is EventFilter when a compromised-credentials
// configuration leaves it out: every event it can apply to.
var allEventFilters = []string{"SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"}

// check refuses what the model cannot say: an account-takeover action
// that notifies with no notification configured, and IP ranges that are
// not CIDR blocks.
func (rc *riskConfig) check() error {
	if t := rc.Takeover; t != nil && t.Actions != nil && t.NotifyConfiguration == nil {
		for _, a := range []*takeoverAction{t.Actions.LowAction, t.Actions.MediumAction, t.Actions.HighAction} {
			if a != nil && a.Notify {
				return errInvalidParam("NotifyConfiguration is required when an account takeover action notifies the user.")
			}
		}
	}
	if e := rc.Exceptions; e != nil {
		for _, l := range [][]string{e.BlockedIPRangeList, e.SkippedIPRangeList} {
			for _, r := range l {
				if _, err := netip.ParsePrefix(r); err != nil {
					return errInvalidParam("Invalid IP range %q: an IP range is a CIDR block such as 192.0.2.0/24.", r)
				}
			}
		}
	}
	return nil
}

func (rc *riskConfig) empty() bool {
	return rc.Compromised == nil && rc.Takeover == nil && rc.Exceptions == nil
}

// riskWire is a RiskConfigurationType: cfg (nil: none) of the pool, or of
// the app client clientID.
func riskWire(p *pool, clientID string, cfg *riskConfig) map[string]any {
	out := map[string]any{"UserPoolId": p.ID}
	if clientID != "" {
		out["ClientId"] = clientID
	}
	if cfg == nil {
		return out
	}
	if cfg.Compromised != nil {
		out["CompromisedCredentialsRiskConfiguration"] = cfg.Compromised
	}
	if cfg.Takeover != nil {
		out["AccountTakeoverRiskConfiguration"] = cfg.Takeover
	}
	if cfg.Exceptions != nil {
		out["RiskExceptionConfiguration"] = cfg.Exceptions
	}
	out["LastModifiedDate"] = ep(cfg.Modified)
	return out
}

func opSetRiskConfiguration(s *Server, c *call) (any, error) {
	var in riskInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	var cl *client
	if in.ClientId != "" {
		if cl, err = s.client(p, in.ClientId); err != nil {
			return nil, err
		}
	}
	cfg := &in.riskConfig
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.empty() {
		cfg = nil
	} else {
		if cc := cfg.Compromised; cc != nil && len(cc.EventFilter) == 0 {
			cc.EventFilter = append([]string(nil), allEventFilters...)
		}
		cfg.Modified = c.now
	}
	if cl != nil {
		cl.Risk = cfg
	} else {
		p.Risk = cfg
	}
	return map[string]any{"RiskConfiguration": riskWire(p, in.ClientId, cfg)}, nil
}

func opDescribeRiskConfiguration(s *Server, c *call) (any, error) {
	var in riskInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if in.ClientId != "" {
		cl, err := s.client(p, in.ClientId)
		if err != nil {
			return nil, err
		}
		if cl.Risk != nil {
			return map[string]any{"RiskConfiguration": riskWire(p, cl.ID, cl.Risk)}, nil
		}
	}
	return map[string]any{"RiskConfiguration": riskWire(p, "", p.Risk)}, nil // the pool's, which a client without its own inherits
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"SetRiskConfiguration":      {fn: opSetRiskConfiguration},
		"DescribeRiskConfiguration": {fn: opDescribeRiskConfiguration, readOnly: true},
	})
}
