# broker 在没有出错时对人说的话：进度与结果、警告、提示输入、表头与结论。
# 数据（`--json`、令牌输出）从不来自这里。代码中的前导空格由代码加上。

## status

ui-status-store = 状态存储：{ $backend }，位于 { $location }
ui-status-store-unreachable = 状态存储：{ $backend }（{ $location }）无法连接（{ $reason }）；以下显示的是本机的本地副本
ui-status-lease = `{ $profile }`：一次轮换正持有租约（{ $holder }）
ui-status-copied = { $state }（复制而来）
ui-status-header-profile = 配置
ui-status-header-grant = 授权方式
ui-status-header-app-key = 应用 API Key
ui-status-header-state = 状态
ui-status-header-expires = 过期时间
ui-status-header-refresh-token-age = 刷新令牌获取于
ui-status-header-last-rotation = 上次轮换
ui-status-header-last-hook = 上次钩子
ui-status-copied-warning = `{ $profile }` 的状态写于 { $from }，而不是本机：如果它是复制来的且副本仍在使用，两处中只有先刷新的那一处能继续工作

## 配置令牌的状态（status 表格、doctor）

ui-state-ok = 正常
ui-state-expired = 已过期
ui-state-not-logged-in = 未登录
ui-state-api-key = API 密钥（不过期）
ui-state-no-token-yet = 尚无令牌
ui-state-needs-login = 需要登录
ui-state-unreadable = 无法读取
ui-state-secret-key-rejected = Secret Key 被拒绝
ui-state-credentials-rejected = 凭据被拒绝
ui-state-refresh-under-way = 正在刷新
ui-state-refresh-interrupted = 刷新被中断

## profile

ui-profile-add-secret-prompt = 配置 `{ $profile }` 的 Secret Key：
ui-profile-added = 已添加配置 `{ $profile }`（{ $grant }）
ui-profile-remove-confirm = 删除配置 `{ $profile }` 及其保存的令牌？[y/N]
ui-profile-removed = 已删除配置 `{ $profile }` 及其保存的令牌
ui-profile-removed-still-used = 当前 shell 仍通过 `BROKER_PROFILE`（及其导出的环境变量）使用 `{ $profile }`
ui-profile-removed-still-used-hint = 提示：用 `eval "$(broker env --unset)"` 清除它们，或用 `broker use NAME` 切换
ui-profile-list-header-name = 名称
ui-profile-list-header-endpoint = 端点
ui-profile-list-header-description = 说明
ui-profile-show-default = { $value }（默认）

## 通用

ui-warning = 警告：
ui-yes = 是
ui-no = 否

## current --explain：是哪条规则选中了当前生效的配置

ui-source-argument = 由命令行选中（位置参数 PROFILE 或 --profile）
ui-source-environment = 由环境变量 `BROKER_PROFILE` 选中
ui-source-use-default = 由 `broker use` 选中（默认配置保存在状态目录中）
ui-source-config-default = 由配置文件中的 `default_profile` 选中
ui-current-store = 状态保存在 { $backend } 存储中，位于 { $location }（可连接）
ui-current-store-leased = 状态保存在 { $backend } 存储中，位于 { $location }（可连接）；租约由 { $holder } 持有
ui-current-store-unreachable = 状态保存在 { $backend } 存储中，位于 { $location }（无法连接）
ui-current-store-unreachable-leased = 状态保存在 { $backend } 存储中，位于 { $location }（无法连接）；租约由 { $holder } 持有
ui-current-stale = 本环境中的 `BAIDU_ACCESS_TOKEN` 不是 `{ $profile }` 保存的令牌（导出之后它已被轮换）
ui-current-stale-hint = 提示：运行 `broker use { $profile }`（需要 shell 集成）或 `eval "$(broker env { $profile })"` 导出最新的令牌
ui-current-other-profile = 本环境中的 `BAIDU_*` 变量是为 `{ $other }` 导出的，而不是 `{ $profile }`
ui-current-unreadable = 无法将导出的令牌与保存的令牌比对：{ $reason }

## doctor：每项检查的结论、修复方法、总结

ui-doctor-ok = 正常
ui-doctor-warn = 警告
ui-doctor-fail = 失败
ui-doctor-fix = 修复：
ui-doctor-all-well = 一切正常
ui-doctor-all-well-warnings = 一切正常，有 { $count } 条警告（警告不会让 `broker doctor` 失败）

## 相对于现在的时间（`$unit`：second、minute、hour 或 day）

ui-time-just-now = 刚刚
ui-time-future = 在未来（时钟被调回过？）
ui-time-in = { $n } { $unit ->
        [second] 秒
        [minute] 分钟
        [hour] 小时
       *[day] 天
    }后
ui-time-ago = { $n } { $unit ->
        [second] 秒
        [minute] 分钟
        [hour] 小时
       *[day] 天
    }前

## login、refresh

ui-login-done = `{ $profile }` 已登录；令牌 { $left }过期
ui-login-imported = 已为 `{ $profile }` 导入令牌；令牌 { $left }过期
ui-refresh-rotated = `{ $profile }`：已轮换；令牌 { $left }过期
ui-refresh-rotated-elsewhere = `{ $profile }`：已由另一个进程轮换；令牌 { $left }过期
ui-nothing-to-rotate = `{ $profile }` 保存的是 API 密钥：没有需要登录或轮换的东西（用 `broker secret set { $profile }` 替换它）
ui-refresh-not-due = `{ $profile }`：尚未到期；令牌 { $left }过期
ui-refresh-failed = `{ $profile }`：错误：{ $error }

## init、口令

ui-init-created = 已创建身份 `{ $path }`（请妥善保管：所有密钥都靠它解密）
ui-init-passphrase-ignored = 身份已存在（{ $identity }）；--passphrase 不起作用
ui-init-recipient-listed = 配置文件 `{ $config }` 已列出本身份的接收方
ui-init-forced = { $error }；继续执行（--force）
ui-init-forced-hint = 提示：对每个密钥或令牌曾加密给已丢失身份的配置，运行 `broker secret set NAME` 和 `broker login NAME`
ui-init-passphrase-prompt = 新身份的口令：
ui-init-passphrase-again = 再输入一次：
ui-passphrase-prompt = age 身份 { $identity } 的口令：

## use

ui-use-shell = 当前 shell 已改用配置 `{ $profile }`
ui-use-shell-and-default = 已改用配置 `{ $profile }`（当前 shell 和默认配置）
ui-use-default = 已改用配置 `{ $profile }`
ui-use-overridden = 当前 shell 设置了 `BROKER_PROFILE`，它优先于 `broker use`
ui-use-overridden-hint = 提示：加载 shell 集成（`eval "$(broker shell-init bash)"`），`broker use` 才能同时切换 shell
ui-use-pick = 选择配置 [1-{ $count }]：

## secret、logout、env、state、exec、man

ui-secret-set-prompt = `{ $profile }` 的新 Secret Key：
ui-secret-replaced = 已替换 `{ $profile }` 的 Secret Key
ui-secret-encrypted = 已加密 `{ $config }` 中的 { $count } 个明文密钥
ui-secret-rekeyed = 已将 { $secrets } 个密钥和 { $states } 个状态文件重新加密给 { $recipients } 个接收方
ui-logout-nothing = `{ $profile }` 没有保存的令牌：无需清除
ui-logout-done = 已清除 `{ $profile }` 的令牌
ui-env-github = 已将 { $count } 个环境变量导出到 `$GITHUB_ENV`
ui-state-exported = 已导出 { $count } 个配置；本机将继续提供它们当前的令牌直到到期，之后停止（已移交）
ui-state-not-marked = 导出包已写出，但无法在此处将 `{ $profile }` 标记为已移交：同一条刷新令牌链现在存在于两处，只有先刷新的那一处能继续工作
ui-state-exported-kept = 已用 `--keep` 导出 { $count } 个配置：同一条刷新令牌链现在存在于两处，只有先刷新的那一处能继续工作
ui-state-imported = 已将 `{ $profile }` 导入 `{ $location }`（令牌于 { $expires } 过期）
ui-exec-shell = 正在以配置 `{ $profile }` 启动 { $shell }；输入 `exit` 退出
ui-man-written = 已将 man 手册写入 `{ $dir }`

## 网盘登录：设备码、粘贴授权码、浏览器

ui-login-device = 要授权 `{ $profile }`，请打开 { $url } 并输入授权码 { $code }
ui-login-device-or = （或直接打开 { $url }）
ui-login-device-waiting = 等待授权… 剩余 { $left }
ui-login-code-open = 打开这个页面，同意授权，然后复制页面上显示的授权码：
ui-login-code-prompt = 授权码：
ui-login-browser = 正在打开授权页面；如果浏览器没有打开，请访问：

## 其他人可修改的文件

ui-writable-config = `{ $path }` 的权限为 { $mode }：同组用户或其他人可以修改它，而其中的钩子以你的身份运行
ui-writable-state = `{ $path }` 的权限为 { $mode }：同组用户或其他人可以修改它，而 broker 信任其中的内容

## 钩子与 sink

ui-hooks-hook-ok = 钩子 `{ $hook }`：正常（{ $status }）
ui-hooks-sink-ok = sink `{ $sink }`：正常（{ $status }）
ui-hooks-hook-failed = 钩子 `{ $hook }` 在 `{ $profile }` 的 `{ $event }` 事件上失败：{ $status }
ui-hooks-sink-failed = sink `{ $sink }` 在 `{ $profile }` 的 `{ $event }` 事件上失败：{ $status }
ui-hooks-output-capped = … 更多输出已丢弃（钩子的输出上限为 { $kib } KiB）
ui-hooks-not-recorded = 无法记录 `{ $profile }` 的钩子结果：{ $error }
ui-hooks-run-nothing = `{ $profile }` 没有 sink，也没有 `rotate` 钩子
ui-hooks-run-expired = `{ $profile }` 保存的令牌已过期；钩子仍会收到它（`broker refresh { $profile }` 可轮换）
ui-hooks-test-nothing = `{ $profile }` 没有钩子（全局的和它自己的都没有）

## 轮换

ui-login-replaces-unreadable = { $error }；登录将替换 `{ $profile }` 保存的令牌
ui-rotate-recovering = `{ $profile }`：{ $story }；为了恢复，再提交一次它的刷新令牌
ui-rotate-serving-stored = { $error }；继续提供 `{ $profile }` 保存的令牌，它尚未到期（下次轮换时再试）
ui-rotate-copied = `{ $profile }` 的状态写于 { $from }，现在在 { $here } 读取：如果它是复制来的且副本仍在使用，同一条刷新令牌链就存在于两处，只有先刷新的那一处能继续工作
ui-rotate-copied-lineage = `{ $profile }` 的状态（令牌链 `{ $lineage }`）写于 { $from }，现在在 { $here } 读取：如果它是复制来的且副本仍在使用，同一条刷新令牌链就存在于两处，只有先刷新的那一处能继续工作

## watch

ui-watch-all = 正在关注所有配置的轮换，频道 `{ $channel }`，位于 { $url }
ui-watch-one = 正在关注 `{ $profile }` 的轮换，频道 `{ $channel }`，位于 { $url }
ui-watch-failed = 为 `{ $profile }` 的轮换运行的 `{ $command }` 失败（{ $how }）；继续关注
ui-watch-timed-out = 为 `{ $profile }` 的轮换运行的 `{ $command }` 超过 { $seconds } 秒，已被终止；继续关注

## demo：导览的旁白

ui-demo-start = broker 演示：临时主目录位于 { $home }，百度模拟器位于 { $url }
ui-demo-init = 创建一个 age 身份，以及加密给它的配置文件。
ui-demo-add = 添加三个应用。Secret Key 从 stdin（或隐藏输入的提示）读取，绝不来自命令行参数，并在配置文件中以 age 加密。
ui-demo-tokens = 无需人工参与的应用的令牌：client_credentials，以及 bce-auth-v1 签名的 bearer 令牌。
ui-demo-cached = 第二次调用直接由加密缓存提供，不发请求。
ui-demo-device = 网盘应用需要人工授权一次：设备码流程。演示通过模拟器的管理 API 批准授权码。
ui-demo-approved = （模拟器：用户已批准设备码）
ui-demo-rotate = 轮换它：一次性的刷新令牌先被标记为进行中，只发送一次，新的令牌对在其他任何操作之前保存。
ui-demo-counters = 模拟器共收到 { $requests } 个请求：URL 中带密钥的 { $secret_in_url } 个，刷新令牌被重复使用 { $refresh_reuse } 次。
ui-demo-state-files-kept = 状态文件是 age 加密的 JSON：age -d -i { $identity } { $state }
ui-demo-done-kept = 演示结束；主目录已保留：HOME={ $home } broker status（删除：rm -r { $home }）
ui-demo-state-files = 状态文件是 age 加密的 JSON，官方的 `age -d` 即可读取：运行 `broker demo --keep` 保留这个主目录以便查看。
ui-demo-done = 演示结束；临时主目录已删除。

## doctor：每项检查发现了什么，以及如何修复

ui-doctor-check-failed = 检查本身失败了
ui-doctor-config-fix = 修正配置文件，然后再次运行 `broker doctor`
ui-doctor-config-missing = `{ $path }` 处没有配置文件：没有任何配置
ui-doctor-config-missing-fix = 运行 `broker init`，然后运行 `broker profile add`
ui-doctor-config-ok = `{ $path }` 解析并校验通过（{ $count } 个配置）
ui-doctor-identity-ok = { $identity } 加载成功（{ $keys }）
ui-doctor-identity-passphrase = { $identity } 受口令保护，且未设置 `{ $var }`：doctor 不会提示输入，因此没有检查密钥和状态
ui-doctor-identity-passphrase-fix = 设置 `{ $var }` 以便一并检查它们
ui-doctor-identity-fix = 运行 `broker init`
ui-doctor-recipients-empty = `{ $path }` 中的 `[store] recipients` 为空：无法加密任何内容
ui-doctor-recipients-empty-fix = 运行 `broker init`，或把你的 `age1…` 公钥加入 `[store] recipients`
ui-doctor-recipients-fix = 修正 `[store] recipients`
ui-doctor-recipients-parse = { $count } 个接收方解析通过
ui-doctor-recipients-ok = { $count } 个接收方，本身份在其中
ui-doctor-recipients-without-me = 本身份（`{ $key }`）不在 `{ $path }` 的 { $count } 个 `[store] recipients` 之中：broker 此后加密的内容你将无法读取，其他人加密的内容可能也是如此
ui-doctor-recipients-without-me-fix = 把 `{ $key }` 加入 `[store] recipients`，然后用能读取当前密钥的身份运行 `broker secret rekey`
ui-doctor-mode-open = `{ $path }` 的权限为 { $mode }：同组用户或其他人可以访问它（应为 { $want }）
ui-doctor-mode-config-writable = `{ $path }` 的权限为 { $mode }：其他人可以修改它，而其中的钩子以你的身份运行
ui-doctor-mode-config-readable = `{ $path }` 的权限为 { $mode }：其他人可以读取其中的 AppKey 和钩子命令（密钥是加密的）
ui-doctor-mode-nothing = 还没有身份、配置文件或状态文件
ui-doctor-mode-ok = 身份、配置文件和状态都是私有的（检查了 { $count } 个文件和目录）
ui-doctor-used-by = { $count } 个配置：{ $names }
ui-doctor-endpoint-unreachable = `{ $endpoint }`（{ $used_by }）无法连接：{ $reason }
ui-doctor-endpoint-fix = 检查网络和代理（`HTTPS_PROXY`），或检查这些配置的 `endpoint`：{ $used_by }
ui-doctor-endpoint-ok = `{ $endpoint }`（{ $used_by }）有响应（HTTP { $status }，用时 { $ms } 毫秒）
ui-doctor-clock-no-date = `{ $endpoint }` 没有返回 `Date` 头：未比对时钟
ui-doctor-clock-no-date-fix = 手动将时钟与时间服务器比对
ui-doctor-clock-ahead = 本地时钟比 `{ $endpoint }` 快 { $seconds } 秒
ui-doctor-clock-behind = 本地时钟比 `{ $endpoint }` 慢 { $seconds } 秒
ui-doctor-clock-fix = 同步时钟（例如 `timedatectl set-ntp true`，或 chrony/ntpd）
ui-doctor-clock-bce = { $detail }：偏差这么大，BCE IAM 会拒绝签名（签名有效期为 { $seconds } 秒）
ui-doctor-clock-ok = 本地时钟与 `{ $endpoint }` 相差不超过 { $seconds } 秒
ui-doctor-secret-ok = 已在配置文件中加密；可以解密
ui-doctor-secret-fix = 用 `broker secret set { $profile }` 重新设置
ui-doctor-secret-env-ok = 来自 `{ $var }`，该变量已设置
ui-doctor-secret-env-unset = 配置了 `secret_key_env = "{ $var }"`，但这里没有设置 `{ $var }`
ui-doctor-secret-env-unset-fix = 导出 `{ $var }`，或用 `broker secret set { $profile }` 保存 Secret Key
ui-doctor-secret-plaintext = Secret Key 以明文写在配置文件中
ui-doctor-secret-plaintext-fix = 运行 `broker secret encrypt`
ui-doctor-secret-missing = 没有 Secret Key（既没有 `secret_key` 也没有 `secret_key_env`）
ui-doctor-secret-missing-fix = 用 `broker secret set { $profile }` 设置一个
ui-doctor-store-fix = 启动 Redis，或修正 `[store] url` / `BROKER_REDIS_URL`
ui-doctor-store-ok = { $backend }（{ $location }）有响应
ui-doctor-store-appendonly = Redis 保留了 append-only 文件（`appendonly yes`）
ui-doctor-store-no-appendonly = Redis 设置为 `appendonly no`：崩溃会丢失最后的写入，而网盘状态的一次写入丢失就是一条令牌链的丢失（需要重新 `broker login`）
ui-doctor-store-no-appendonly-fix = 在 redis.conf 中设置 `appendonly yes`（以及 `appendfsync everysec` 或 `always`）
ui-doctor-store-appendonly-unknown = 无法读取 Redis 的 `appendonly` 设置（ACL 用户没有 `CONFIG GET` 权限）
ui-doctor-store-appendonly-unknown-fix = 确认服务器以 `appendonly yes` 运行
ui-doctor-state-login-fix = 运行 `broker login { $profile }`
ui-doctor-state-not-logged-in = 尚未登录
ui-doctor-state-api-key = API 密钥：无需保存或轮换
ui-doctor-state-no-token = 尚无令牌；首次使用时获取
ui-doctor-state-refused = 百度在 { $at } 拒绝了刷新令牌：{ $reason }
ui-doctor-state-under-way = 正在刷新（{ $holder }）
ui-doctor-state-under-way-fix = 刷新完成后再次运行 `broker doctor`
ui-doctor-state-interrupted = 一次刷新被中断：{ $story }；下次使用时会再提交一次它的刷新令牌以恢复
ui-doctor-state-interrupted-fix = 运行 `broker token { $profile }` 立即恢复
ui-doctor-state-expired-refresh = 令牌已于{ $left }过期；下次使用时会用刷新令牌续期
ui-doctor-state-expired-fetch = 令牌已于{ $left }过期；下次使用时会重新获取
ui-doctor-state-expired-fix = 运行 `broker token { $profile }` 立即续期
ui-doctor-state-ok = 令牌有效期至 { $until }（{ $left }），第 { $generation } 代

## 等待百度（终端上一闪而过的提示）

ui-retrying = 正在重试… { $attempt }/{ $most }，{ $reason }

# clap 的用法错误（src/help.rs，`Localized`），仅用于英语以外的语言。
ui-clap-unknown-argument = 无法识别的参数 `{ $arg }`
ui-clap-unknown-command = 无法识别的命令 `{ $command }`
ui-clap-invalid-value = `{ $arg }` 的值 `{ $value }` 无效{ $valid ->
        [none] {""}
       *[other] ；可选值：{ $valid }
    }
ui-clap-missing-argument = 缺少必需的参数：{ $arg }
ui-clap-missing-command = 需要指定一个命令
ui-clap-conflict = `{ $arg }` 不能与 `{ $other }` 同时使用
ui-clap-value-count = `{ $arg }` 的值的个数不对
ui-clap-did-you-mean = 提示：你是不是想用 `{ $near }`？
ui-clap-more = 更多信息请运行 `--help`。
ui-clap-error = 错误：{ $message }

# broker agent（src/agent/、src/commands/agent.rs）。
ui-agent-needs-login = `{ $profile }` { $why ->
        [no-token] 还没有令牌，需要运行 `broker login`
       *[person] 需要人工处理（原因见 `broker status`）
    }
ui-agent-not-rotating = agent：`{ $profile }` { $why ->
        [no-token] 还没有令牌，需要运行 `broker login`
       *[person] 需要人工处理（原因见 `broker status`）
    }；在此之前不再轮换它
ui-agent-paused = agent：{ $error }；`{ $profile }` 暂停到 { $until }
ui-agent-retry = agent：{ $error }；{ $after } 后重试 `{ $profile }`
ui-agent-cannot-keep-pauses = agent：无法保存暂停记录：{ $error }
ui-agent-serving = agent：正在 `{ $socket }` 上为 `{ $config }` 提供服务（pid { $pid }）
ui-agent-reloaded = agent：已重新读取配置文件
ui-agent-kept-config = agent：继续使用原有配置：{ $error }
ui-agent-stopped = agent：已停止
ui-agent-refused-user = agent：拒绝了来自其他用户的连接
ui-agent-after-answer = agent：应答已发出之后出错：{ $error }
ui-agent-stopping = `{ $socket }` 上的 agent 正在停止
ui-agent-header-profile = 配置
ui-agent-header-next = 下次轮换
ui-agent-header-last = 上次轮换
ui-agent-header-error = 最近的错误
ui-inject-watching = 每当{ $profiles ->
        [one] 它引用的配置
       *[other] 它引用的 { $profiles } 个配置之一
    }轮换后重新渲染 `{ $path }`（按 Ctrl-C 结束）
ui-inject-retry = 无法重新渲染 `{ $path }`：{ $error }；{ $seconds } 秒后重试
ui-inject-exec-failed = 渲染 `{ $path }` 后运行的 `{ $command }` 失败（{ $how }）；继续监视
ui-inject-exec-timed-out = 渲染 `{ $path }` 后运行的 `{ $command }` 超过 { $seconds } 秒，已被结束；继续监视
