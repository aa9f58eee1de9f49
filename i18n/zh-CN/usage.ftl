# 用法错误（退出码 2）：src/error/usage.rs。

usage-bad-arguments = {""}
usage-nul-in-value = `{ $name }` 的值含有 NUL 字节，环境变量无法保存
usage-dotenv-unquotable = `{ $name }` 的值无法写成 python-dotenv 和 docker compose 能原样读回的 dotenv：它含有 `${"{"}`，或同时含有 `$` 和 `\` 或回车符
    .hint = 改用 `--format json` 或 `--format sh`，或使用 `broker exec`
usage-unset-meaningless = `--unset` 对 `--format { $format }` 没有意义
    .hint = 请使用 `--format sh`、`fish`、`powershell` 或 `json`
usage-unknown-shell = `{ $var }={ $value }` 不是 broker 认识的 shell
    .hint = 可选 bash、zsh、fish 或 powershell；它由 `broker shell-init` 设置
usage-invalid-profile-name = 配置名 `{ $name }` 无效
    .hint = 名称以字母或数字开头，其后可以是字母、数字、`-`、`_` 或 `.`；最长 64 个字符

# 命令（src/commands）。
usage-no-completions = 没有 `{ $shell }` 的补全脚本
usage-profile-not-applicable = `--profile` 不适用于 `broker { $command }`
    .hint = 去掉它；`broker --help` 列出了哪些命令作用于配置
usage-two-profiles = 给出了两个配置：`{ $first_is_flag ->
        [true] --profile { $first }
       *[false] { $first }
    }` 和 `--profile { $second }`
    .hint = 只能给一个
usage-no-profile-chosen = 没有选定配置
usage-if-changed-needs-shell = `--if-changed` 需要 `--format sh`、`fish` 或 `powershell`
usage-github-env-not-set = `--format github` 会追加写入 `GITHUB_ENV` 指定的文件，但该变量未设置
    .hint = 请在 GitHub Actions 的步骤中运行，或改用 `--format dotenv`
usage-nested-exec = 已经在配置 `{ $profile }` 的 `broker exec` 之中
    .hint = 先退出那个命令，或加 `--force` 嵌套运行

usage-cannot-read-passphrase = 无法读取口令：{ $reason }
usage-passphrases-differ = 两次输入的口令不一致

usage-login-flags-not-applicable = `--device`、`--code` 和 `--browser` 只适用于 { $grants } 配置；`{ $profile }` 的授权方式是 `{ $grant }`
usage-token-from-terminal = `--with-token` 从标准输入读取令牌，而不是从终端
    .hint = { -token-json }
usage-cannot-read-token = 无法从标准输入读取令牌：{ $reason }
usage-bad-imported-token = 标准输入中的令牌{ $problem ->
        [not-json] 不是预期的 JSON 对象
        [unusable-access-token] 的 `access_token` 不可用
        [no-access-token] 缺少 `access_token`
        [unusable-refresh-token] 的 `refresh_token` 不可用
       *[no-refresh-token] 缺少 `refresh_token`，没有它 broker 无法轮换 { $grant } 令牌
    }
    .hint = { -token-json }
-token-json = 请在标准输入中提供一个 JSON 对象：{"{"}"access_token": …, "refresh_token": …（netdisk）, "expires_in": 秒数 或 "expires_at": 时间{"}"}

usage-app-key-empty = `--app-key` 为空
usage-app-key-missing = `--grant { $grant }` 需要 `--app-key`
usage-not-a-variable-name = `--secret-key-env { $var }` 不是合法的变量名
usage-scope-not-applicable = `--scope` 只适用于 { $flags } 配置
usage-not-confirmed = 未删除配置 `{ $profile }`（没有确认）
    .hint = 加 `--yes` 可不经询问直接删除

usage-all-and-profile = `--all` 和 `--profile` 不能同时使用
usage-some-not-refreshed = 部分配置未能刷新
    .hint = 请查看上面的输出

usage-needs-attention = { $count } 个配置需要处理：{ $problems }
    .hint = { $worst ->
        [unreadable] `broker doctor` 会检查 age 身份和状态文件
        [rejected] 请检查 API Key 和 Secret Key；`broker secret set { $profile }` 可替换 Secret Key
        [login] { hint-login }
       *[hook] 修好钩子后，用 `broker hooks run { $profile }` 重新运行
    }

# 列表中的一项（src/commands/status.rs）：配置，以及用状态表中的说法写出的原因。
attention-item = `{ $profile }`（{ $state ->
        [unreadable] 状态无法读取
        [secret-key-rejected] Secret Key 被拒绝
        [credentials-rejected] 凭据被拒绝
        [not-logged-in] 未登录
        [needs-login] 需要重新登录
       *[hook-failed] 有钩子运行失败
    }）

usage-shell-integration-not-loaded = `broker use --shell` 需要 shell 集成，但当前 shell 没有加载
    .hint = 在 shell 的启动文件中加入 `eval "$(broker shell-init bash)"`（或 zsh、fish、powershell）
usage-use-without-profiles = `broker use` 需要一个配置，但目前一个都没有
usage-use-needs-name = `broker use` 需要配置名（没有终端可供选择）
    .hint = `broker use NAME`；{ hint-profiles }
usage-nothing-picked = 没有选择配置，未做任何更改
usage-not-in-list = `{ $answer }` 不在列表中（1-{ $count }）

usage-checks-failed = { $total } 项检查中有 { $failed } 项失败：{ $checks }
    .hint = 每个“失败”行都写明了修复方法；退出码取第一项失败的
usage-emulator = { $message }
    .hint = { $hint }
usage-agent-already-running = `{ $path }` 上已有一个 agent 在应答
    .hint = 用 `broker agent stop` 结束它，或用另一个 `--socket` 启动这一个
usage-agent-not-running = `{ $path }` 上没有 agent 应答
    .hint = 用 `broker agent` 启动一个

usage-bad-reference = `{ $reference }` 不是 broker 引用
    .hint = 写成 `broker://PROFILE/FIELD`（模板中写 `{"{{"} broker://PROFILE/FIELD {"}}"}`），FIELD 为 access_token、app_key、expires_at、scope、access_key_id、secret_access_key、session_token 之一
usage-field-not-of-grant = 配置 `{ $profile }` 没有 `{ $field }`：它的授权方式是 `{ $grant }`
    .hint = access_token 和 app_key 适用于所有配置；expires_at 适用于 api-key 以外的配置；scope 适用于 api-key 和 sts 以外的配置；access_key_id、secret_access_key 和 session_token 仅适用于 sts
