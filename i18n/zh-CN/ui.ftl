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
ui-status-header-refresh-token-age = 刷新令牌已用时长
ui-status-header-last-rotation = 上次轮换
ui-status-header-last-hook = 上次钩子
ui-status-copied-warning = `{ $profile }` 的状态写于 { $from }，而不是本机：如果它是复制来的且副本仍在使用，两处中只有先刷新的那一处能继续工作

## 配置令牌的状态（status 表格、doctor）

ui-state-ok = 正常
ui-state-expired = 已过期
ui-state-not-logged-in = 未登录
ui-state-no-token-yet = 尚无令牌
ui-state-needs-login = 需要登录
ui-state-unreadable = 无法读取
ui-state-secret-key-rejected = Secret Key 被拒绝
ui-state-credentials-rejected = 凭据被拒绝
ui-state-refresh-under-way = 正在刷新
ui-state-refresh-interrupted = 刷新被中断
