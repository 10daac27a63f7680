//go:build windows

package winsvc

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// Info is what Status reports about a service.
type Info struct {
	Installed   bool
	State       svc.State // meaningful when Installed
	PID         uint32    // the service's process while it runs, else 0
	CommandLine string    // what the SCM runs
	StartType   string    // "automatic", "manual", "disabled", …
	// ExitCode is the last run's exit code: the service-specific code
	// when the service reported one, else the Win32 code; 0 for success.
	ExitCode uint32
}

// StateName names a service state the way sc.exe does, in lower case.
func StateName(s svc.State) string {
	switch s {
	case svc.Stopped:
		return "stopped"
	case svc.StartPending:
		return "start pending"
	case svc.StopPending:
		return "stop pending"
	case svc.Running:
		return "running"
	case svc.ContinuePending:
		return "continue pending"
	case svc.PausePending:
		return "pause pending"
	case svc.Paused:
		return "paused"
	}
	return fmt.Sprintf("state %d", uint32(s))
}

// startTypeName names a service start type.
func startTypeName(t uint32) string {
	switch t {
	case mgr.StartAutomatic:
		return "automatic"
	case mgr.StartManual:
		return "manual"
	case mgr.StartDisabled:
		return "disabled"
	case windows.SERVICE_BOOT_START:
		return "boot"
	case windows.SERVICE_SYSTEM_START:
		return "system"
	}
	return fmt.Sprintf("start type %d", t)
}

// exitCodeOf picks the exit code worth showing from a status: 0 for
// success and for a service that never ran.
func exitCodeOf(st svc.Status) uint32 {
	if st.Win32ExitCode == uint32(windows.ERROR_SERVICE_NEVER_STARTED) {
		return 0
	}
	if st.Win32ExitCode == uint32(windows.ERROR_SERVICE_SPECIFIC_ERROR) {
		return st.ServiceSpecificExitCode
	}
	return st.Win32ExitCode
}

func infoOf(s *mgr.Service, st svc.Status) Info {
	info := Info{Installed: true, State: st.State, PID: st.ProcessId, ExitCode: exitCodeOf(st)}
	if c, err := queryConfig(s.Handle); err == nil {
		info.CommandLine, info.StartType = c.BinaryPathName, startTypeName(c.StartType)
	}
	return info
}

// queryConfig reads a service's configuration and description: what
// mgr.Service.Config does without the delayed-start and SID levels, which
// Wine's SCM does not implement (ERROR_INVALID_LEVEL).
func queryConfig(h windows.Handle) (mgr.Config, error) {
	var c mgr.Config
	n := uint32(1024)
	for {
		b := make([]byte, n)
		p := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&b[0]))
		err := windows.QueryServiceConfig(h, p, n, &n)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) && n > uint32(len(b)) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("query service configuration: %w", err)
		}
		c = mgr.Config{ServiceType: p.ServiceType, StartType: p.StartType, ErrorControl: p.ErrorControl,
			BinaryPathName:   windows.UTF16PtrToString(p.BinaryPathName),
			ServiceStartName: windows.UTF16PtrToString(p.ServiceStartName),
			DisplayName:      windows.UTF16PtrToString(p.DisplayName)}
		break
	}
	for n = 256; ; {
		b := make([]byte, n)
		err := windows.QueryServiceConfig2(h, windows.SERVICE_CONFIG_DESCRIPTION, &b[0], n, &n)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) && n > uint32(len(b)) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("query service description: %w", err)
		}
		c.Description = windows.UTF16PtrToString((*windows.SERVICE_DESCRIPTION)(unsafe.Pointer(&b[0])).Description)
		return c, nil
	}
}

// Status reports whether service name is installed, its state and
// process id. A missing service is not an error: Installed is false.
// It asks only for query rights: no administrator is needed.
func Status(name string) (Info, error) {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return Info{}, fmt.Errorf("cannot open the service control manager: %w", err)
	}
	defer windows.CloseServiceHandle(scm)
	name16, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return Info{}, fmt.Errorf("service name %q: %w", name, err)
	}
	h, err := windows.OpenService(scm, name16, windows.SERVICE_QUERY_STATUS|windows.SERVICE_QUERY_CONFIG)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, fmt.Errorf("open service %q: %w", name, err)
	}
	s := &mgr.Service{Name: name, Handle: h}
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return Info{Installed: true}, fmt.Errorf("query service %q: %w", name, err)
	}
	return infoOf(s, st), nil
}
