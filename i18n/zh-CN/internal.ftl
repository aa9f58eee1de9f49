# 内部错误（退出码 1）：src/error/internal.rs。

internal-io = { $op ->
        [read] 无法读取 `{ $path }`
        [write] 无法写入 `{ $path }`
        [write-into] 无法向 `{ $path }` 中写入
        [append-to] 无法追加写入 `{ $path }`
        [create] 无法创建 `{ $path }`
        [create-folder] 无法创建目录 `{ $path }`
        [create-temp-in] 无法在 `{ $path }` 中创建临时文件
        [create-lock-file] 无法创建锁文件 `{ $path }`
        [open] 无法打开 `{ $path }`
        [open-lock-file] 无法打开锁文件 `{ $path }`
        [inspect] 无法查看 `{ $path }`
        [list] 无法列出 `{ $path }`
        [lock] 无法锁定 `{ $path }`
        [remove] 无法删除 `{ $path }`
        [set-mode] 无法设置 `{ $path }` 的权限
        [sync] 无法同步 `{ $path }`
        [sync-folder] 无法同步目录 `{ $path }`
       *[other] 无法使用 `{ $path }`
    }：{ $cause ->
        [permission-denied] 权限不足
        [storage-full] 磁盘空间已满
       *[other] { $reason }
    }
    .hint = { $cause ->
        [permission-denied] 请检查该路径的所有者和权限
        [storage-full] 请释放一些磁盘空间后重试
       *[other] {""}
    }

internal-cannot-run = 无法运行 `{ $command }`：{ $cause ->
        [not-found] 找不到该程序
        [not-executable] 权限不足
       *[other] { $reason }
    }
    .hint = { $cause ->
        [not-found] 请检查命令名和 `PATH`
       *[other] {""}
    }

internal-panic = 内部错误（broker 的缺陷）{ $line ->
        [0] {""}
       *[other] ，位于 { $file }:{ $line }
    }
    .hint = 请报告此问题；失败的步骤没有改动任何已保存的内容
internal-stdout = 无法写入标准输出：{ $reason }
internal-unreachable = { $what }
internal-already-reported = {""}

# 列表中各项的分隔符。
list-separator = {"、"}

# 错误在标准错误输出上的两行（src/lib.rs）。
line-error = 错误：{ $message }
line-hint = 提示：{ $hint }

# 命令（src/commands）。
internal-cannot-write-completions = 无法写出补全脚本：{ $reason }
internal-cannot-render-man-page = 无法生成 man 手册页：{ $reason }
internal-cannot-create-demo-home = 无法创建临时主目录：{ $reason }
internal-cannot-run-broker = 无法运行 broker：{ $reason }
internal-cannot-wait-for-broker = { $reason }
internal-demo-no-device-code = 演示中的设备登录始终没有要求输入设备码
internal-demo-login-failed = 演示中的设备登录失败了
internal-demo-step-failed = 演示步骤 `broker { $command }` 失败了
internal-cannot-watch-signals = 无法监听信号：{ $reason }
internal-pid-out-of-range = 子进程的进程号超出了 pid 的范围
internal-cannot-wait-for-command = 无法等待命令结束：{ $reason }
internal-agent-socket = agent 套接字 `{ $path }`：{ $reason }
internal-agent-answer = agent 的应答无法理解：{ $reason }
