package userpool

import "strings"

// Log delivery (GetLogDeliveryConfiguration, SetLogDeliveryConfiguration):
// where a pool would export its message-delivery errors and, on the PLUS
// plan, its threat-protection user-activity logs. The emulator sends no
// logs; it checks the configuration as Cognito does, stores it and
// returns it.

// logConfig is one LogConfigurationType.
type logConfig struct {
	LogLevel    string `json:"LogLevel"`
	EventSource string `json:"EventSource"`
	LogGroupArn string `json:"logGroupArn,omitempty"`
	BucketArn   string `json:"bucketArn,omitempty"`
	StreamArn   string `json:"streamArn,omitempty"`
}

type logConfigWire struct {
	LogLevel                    string `json:"LogLevel"`
	EventSource                 string `json:"EventSource"`
	CloudWatchLogsConfiguration *struct {
		LogGroupArn string `json:"LogGroupArn,omitempty"`
	} `json:"CloudWatchLogsConfiguration,omitempty"`
	S3Configuration *struct {
		BucketArn string `json:"BucketArn,omitempty"`
	} `json:"S3Configuration,omitempty"`
	FirehoseConfiguration *struct {
		StreamArn string `json:"StreamArn,omitempty"`
	} `json:"FirehoseConfiguration,omitempty"`
}

type logDeliveryInput struct {
	UserPoolId        string          `json:"UserPoolId"`
	LogConfigurations []logConfigWire `json:"LogConfigurations"`
}

func (in *logDeliveryInput) poolID() string { return in.UserPoolId }

// arnService returns the service part of an ARN ("logs" of
// arn:aws:logs:…), or "".
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// checkLogConfig turns one configuration from the wire into what is
// stored, refusing what Cognito refuses: a destination count other than
// one, user-notification logs other than ERROR to CloudWatch Logs,
// user-activity logs other than INFO or below the PLUS plan, and ARNs of
// the wrong service.
func checkLogConfig(p *pool, w logConfigWire) (logConfig, error) {
	c := logConfig{LogLevel: w.LogLevel, EventSource: w.EventSource}
	n := 0
	if w.CloudWatchLogsConfiguration != nil {
		n++
		c.LogGroupArn = w.CloudWatchLogsConfiguration.LogGroupArn
		if c.LogGroupArn == "" || arnService(c.LogGroupArn) != "logs" {
			return c, errInvalidParam("CloudWatchLogsConfiguration.LogGroupArn must be the ARN of a CloudWatch Logs log group.")
		}
	}
	if w.S3Configuration != nil {
		n++
		c.BucketArn = w.S3Configuration.BucketArn
		if c.BucketArn == "" || arnService(c.BucketArn) != "s3" {
			return c, errInvalidParam("S3Configuration.BucketArn must be the ARN of an Amazon S3 bucket.")
		}
	}
	if w.FirehoseConfiguration != nil {
		n++
		c.StreamArn = w.FirehoseConfiguration.StreamArn
		if c.StreamArn == "" || arnService(c.StreamArn) != "firehose" {
			return c, errInvalidParam("FirehoseConfiguration.StreamArn must be the ARN of an Amazon Data Firehose stream.")
		}
	}
	if n != 1 {
		return c, errInvalidParam("Each log configuration must have exactly one destination: CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration.")
	}
	switch c.EventSource {
	case "userNotification":
		if c.LogLevel != "ERROR" {
			return c, errInvalidParam("LogLevel must be ERROR for the userNotification event source.")
		}
		if c.LogGroupArn == "" {
			return c, errInvalidParam("The userNotification event source can only deliver logs to CloudWatchLogsConfiguration.")
		}
	case "userAuthEvents":
		if c.LogLevel != "INFO" {
			return c, errInvalidParam("LogLevel must be INFO for the userAuthEvents event source.")
		}
		if p.Tier != "PLUS" {
			return c, errorf("FeatureUnavailableInTierException", "Exporting user activity logs (userAuthEvents) requires the PLUS feature plan.")
		}
	}
	return c, nil
}

func logConfigsWire(p *pool) map[string]any {
	list := []any{}
	if p.Extras != nil {
		for _, c := range p.Extras.LogDelivery {
			m := map[string]any{"LogLevel": c.LogLevel, "EventSource": c.EventSource}
			switch {
			case c.LogGroupArn != "":
				m["CloudWatchLogsConfiguration"] = map[string]any{"LogGroupArn": c.LogGroupArn}
			case c.BucketArn != "":
				m["S3Configuration"] = map[string]any{"BucketArn": c.BucketArn}
			case c.StreamArn != "":
				m["FirehoseConfiguration"] = map[string]any{"StreamArn": c.StreamArn}
			}
			list = append(list, m)
		}
	}
	return map[string]any{"LogDeliveryConfiguration": map[string]any{"UserPoolId": p.ID, "LogConfigurations": list}}
}

func opSetLogDeliveryConfiguration(s *Server, c *call) (any, error) {
	var in logDeliveryInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	var out []logConfig
	seen := map[string]bool{}
	for _, w := range in.LogConfigurations {
		lc, err := checkLogConfig(p, w)
		if err != nil {
			return nil, err
		}
		if seen[lc.EventSource] {
			return nil, errInvalidParam("Only one log configuration per event source is allowed; %s is given twice.", lc.EventSource)
		}
		seen[lc.EventSource] = true
		out = append(out, lc)
	}
	p.ext().LogDelivery = out
	return logConfigsWire(p), nil
}

func opGetLogDeliveryConfiguration(s *Server, c *call) (any, error) {
	var in poolIDInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	return logConfigsWire(p), nil
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"SetLogDeliveryConfiguration": {fn: opSetLogDeliveryConfiguration},
		"GetLogDeliveryConfiguration": {fn: opGetLogDeliveryConfiguration, readOnly: true},
	})
}
