#include "exec/container/seccomp_profile.h"

#include <cstdint>

namespace rampart::exec {

nlohmann::json default_seccomp_profile() {
  static const char* const kDenied[] = {
      // Kernel and system state.
      "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff",
      "acct", "quotactl", "quotactl_fd", "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
      "stime", "sethostname", "setdomainname", "iopl", "ioperm", "vhangup", "nfsservctl", "lookup_dcookie",
      // Mounts and namespaces: the container's are fixed when it starts.
      "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount", "fsopen",
      "fsconfig", "fsmount", "fspick", "mount_setattr",
      // Tracing, eBPF and other ways to look into or attack the kernel.
      "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "bpf", "perf_event_open", "userfaultfd",
      "open_by_handle_at", "name_to_handle_at",
      // Kernel keyrings are not namespaced.
      "add_key", "request_key", "keyctl"};
  nlohmann::json names = nlohmann::json::array();
  for (const char* name : kDenied) names.push_back(name);
  nlohmann::json rules = nlohmann::json::array();
  rules.push_back({{"names", names}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}});
  // clone() may not make namespaces either; one rule per flag, because a rule can only test
  // (argument & mask) == value. clone3 passes its flags in memory, out of seccomp's sight, so it
  // reports ENOSYS and the C library falls back to clone().
  for (uint64_t flag :
       {0x00020000ull /*NEWNS*/, 0x02000000ull /*NEWCGROUP*/, 0x04000000ull /*NEWUTS*/, 0x08000000ull /*NEWIPC*/,
        0x10000000ull /*NEWUSER*/, 0x20000000ull /*NEWPID*/, 0x40000000ull /*NEWNET*/}) {
    rules.push_back({{"names", {"clone"}},
                     {"action", "SCMP_ACT_ERRNO"},
                     {"errnoRet", 1},
                     {"args", {{{"index", 0}, {"value", flag}, {"valueTwo", flag}, {"op", "SCMP_CMP_MASKED_EQ"}}}}});
  }
  rules.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}});
  return {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"syscalls", rules},
  };
}

}  // namespace rampart::exec
