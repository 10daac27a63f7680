// Package systemd speaks the service manager's notification protocol
// (sd_notify): a service started with Type=notify sends newline-separated
// VAR=value assignments as one datagram to the AF_UNIX socket named by
// $NOTIFY_SOCKET ("@name" is an abstract socket). READY=1 says start-up is
// done, RELOADING=1 (with MONOTONIC_USEC) that a reload began, STOPPING=1
// that the service is shutting down, STATUS= a line for systemctl status.
//
// Without $NOTIFY_SOCKET (not started by systemd, or not Type=notify)
// every call does nothing and reports false. Other systems than Linux have
// no such manager: there, too, nothing is sent.
package systemd

// Notification states (see sd_notify(3)).
const (
	Ready     = "READY=1"
	Reloading = "RELOADING=1"
	Stopping  = "STOPPING=1"
)

// SocketEnv is the variable naming the notification socket.
const SocketEnv = "NOTIFY_SOCKET"
