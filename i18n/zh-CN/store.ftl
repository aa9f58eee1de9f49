# 存储错误：src/store/error.rs。

store-cannot-lock = 无法锁定配置 `{ $profile }`：{ $cause }
    .hint = broker 必须能写入 `{ $dir }`（或设置 `BROKER_STATE_DIR`）

## 读取 broker 的文件。`describe-file` 根据 `file`、`path`、`profile`、`source` 说明是哪个文件；
## `describe-identity` 根据 `source` 和 `path` 说明是哪个身份。

describe-file = { $file ->
        [config] 配置文件 `{ $path }`
        [use-default] 默认配置记录 `{ $path }`
        [state] 配置 `{ $profile }` 的状态（`{ $path }`）
       *[identity] age 身份 { describe-identity }
    }
describe-identity = { $source ->
        [key] `BROKER_AGE_KEY`
        [file] `{ $path }`（来自 `BROKER_AGE_KEY_FILE`）
        [command] `BROKER_AGE_KEY_CMD` 的输出
        [config-file] `{ $path }`（来自 `[store] identity`）
       *[default-file] `{ $path }`
    }

store-not-regular-file = 无法读取{ describe-file }：它是{ $is ->
        [folder] 一个目录
        [fifo] 一个 FIFO
        [device] 一个设备
        [socket] 一个套接字
       *[other] 非文件对象
    }，不是普通文件
    .hint = 请让 broker 指向一个普通文件，或把这个移开
store-file-too-large = 无法读取{ describe-file }：它大于 { $max } { $unit ->
        [mib] MiB
       *[kib] KiB
    }
    .hint = 是不是弄错了文件？broker 的文件远比这小
store-cannot-read-file = 无法读取{ describe-file }：{ $reason }
    .hint = { $cause ->
        [permission-denied] 请检查该路径的所有者和权限
       *[other] {""}
    }

## 原子写入。

store-folder-in-the-way = 无法创建目录 `{ $path }`：有一个同名文件挡在那里
store-not-a-file-path = 无法写入 `{ $path }`：这不是文件路径
store-already-exists = `{ $path }` 已存在；broker 不会覆盖它

## age 身份。

-identity-format = 身份文件每行一个 `AGE-SECRET-KEY-1…` 密钥，即 `age-keygen` 或 `broker init` 写出的格式
-identity-lost = 请从备份恢复身份文件（或把 `BROKER_AGE_KEY` 设为那个 `AGE-SECRET-KEY-1…` 密钥）；如果已经丢失，运行 `broker init --force`，然后对每个配置运行 `broker secret set NAME` 和 `broker login NAME`

store-empty-passphrase = 口令为空
store-identity-exists = `{ $path }` 已有一个 age 身份
    .hint = broker 从不覆盖身份；`broker init` 会使用已有的那个
store-no-identity = { $source ->
        [default-file] 没有 age 身份：`BROKER_AGE_KEY`、`BROKER_AGE_KEY_FILE` 和 `BROKER_AGE_KEY_CMD` 都未设置，配置文件中没有 `[store] identity`，`{ $path }` 也不存在
        [file] 没有 age 身份：`BROKER_AGE_KEY_FILE` 指定的 `{ $path }` 不存在
        [config-file] 没有 age 身份：`[store] identity` 指定的 `{ $path }` 不存在
       *[other] { describe-identity } 中没有 age 身份
    }
    .hint = { $source ->
        [file] 请修正或取消设置 `BROKER_AGE_KEY_FILE`（设置了它就只用它，不再尝试其他来源）
        [config-file] 请修正配置文件中的 `[store] identity`，或运行 `broker init`
       *[other] { -identity-lost }
    }
store-identity-not-text = { describe-identity } 不是 age 身份（不是 UTF-8 文本）
    .hint = { -identity-format }
store-identity-plugin = { describe-identity } 含有 age 插件身份（第 { $line } 行），broker 不支持
    .hint = 请使用 X25519 身份（`age-keygen` 或 `broker init`）
store-identity-bad-line = { describe-identity } 不是 age 身份：第 { $line } 行不是 `AGE-SECRET-KEY-1…` 密钥
    .hint = { -identity-format }
store-identity-empty = { describe-identity } 中没有 age 身份
    .hint = { -identity-format }
store-identity-corrupt = age 身份 { describe-identity } 已加密，但已损坏
    .hint = 请从备份恢复身份，或用 `broker init` 新建一个
store-identity-not-passphrase = age 身份 { describe-identity } 是加密给接收方的，而不是用口令加密的
    .hint = 用 `age -d` 解密后让 broker 指向解密结果，或改用口令保护的身份
store-wrong-passphrase = age 身份 { describe-identity } 的口令错误
    .hint = 请检查 `BROKER_AGE_PASSPHRASE`，或重新输入口令
store-excessive-passphrase-work = age 身份 { describe-identity } 的口令计算量远超本机允许的范围
store-no-terminal-for-passphrase = age 身份 { describe-identity } 受口令保护，但没有终端可以询问口令
    .hint = 请设置 `BROKER_AGE_PASSPHRASE`，或使用不带口令的身份（`BROKER_AGE_KEY`）
store-cannot-read-passphrase = 无法从终端读取口令：{ $reason }
store-cannot-encrypt-identity = 无法加密身份：{ $reason }
store-cannot-run-key-command = 无法运行 `BROKER_AGE_KEY_CMD`：{ $reason }
store-key-command-too-large = `BROKER_AGE_KEY_CMD` 输出超过了 { $max_mib } MiB
    .hint = 该命令必须在标准输出上只输出一个 `AGE-SECRET-KEY-1…` 身份
store-key-command-timed-out = `BROKER_AGE_KEY_CMD` 在 { $after } 内没有结束
    .hint = 手动运行它，看它卡在哪里；或用 `BROKER_AGE_KEY_CMD_TIMEOUT`（如 `2m`）放宽时限
store-key-command-failed = `BROKER_AGE_KEY_CMD` 执行失败（{ $how }）
    .hint = 该命令必须在标准输出上输出一个 `AGE-SECRET-KEY-1…` 身份；请手动运行它查看失败原因
store-invalid-key-command-timeout = `BROKER_AGE_KEY_CMD_TIMEOUT`：{ $problem ->
        [not-text] 不是有效的 UTF-8
        [out-of-range] 必须在 1s 到 { $max } 之间
       *[other] { $reason }
    }

## 加密。

store-identity-not-recipient = 正在使用的身份（{ describe-identity }）不在 `[store] recipients` 中：现在保存的数据在本机将无法读回，因此没有发送任何内容
    .hint = 把它的公钥 `{ $public_key }` 加到配置文件 `[store]` 下的 `recipients` 中（`broker init` 会打印公钥），或使用 recipients 对应的身份；如果那个身份已丢失，运行 `broker init --force`，然后对每个配置运行 `broker secret set NAME` 和 `broker login NAME`
store-no-recipients = 没有可用于加密的接收方
    .hint = 运行 `broker init`，或把你的 `age1…` 公钥加到配置文件 `[store]` 下的 `recipients` 中
store-cannot-encrypt = 无法加密：{ $reason }
store-armor-not-text = age 的 ASCII 封装（armor）不是文本
store-passphrase-encrypted = 这份数据是用口令加密的，而不是加密给存储的接收方
    .hint = 请把它加密给你的 `age1…` 接收方（例如 `broker secret set`）
store-secret-not-text = 解密后的密钥不是 UTF-8 文本
    .hint = 请用 `broker secret set` 重新设置
store-not-a-recipient = `[store] recipients` 中的 `{ $value }` 不是 age 接收方
    .hint = 接收方是 age X25519 公钥 `age1…`；`broker init` 会打印你的公钥
store-not-encrypted-to-identity = 这份数据不是加密给当前身份（{ describe-identity }）的
    .hint = 请使用加密时对应的身份（更改 recipients 后，用它运行 `broker secret rekey`）；如果那个身份已丢失，对每个配置运行 `broker secret set NAME` 和 `broker login NAME`
store-unknown-age-format = 这份数据的 age 格式是本版 broker 不认识的
    .hint = 请升级 broker，或重新生成这份数据
store-corrupt = 数据已损坏，或不是 age 加密的
    .hint = 请重新生成（`broker secret set`；令牌则用 `broker login`）

## 状态和它的锁。

store-cannot-read-state = 无法读取配置 `{ $profile }` 的状态（`{ $location }`）：{ $cause }
store-saved-before-loaded = 配置 `{ $profile }` 的状态在持锁加载之前就被保存了
store-cannot-serialize-state = 无法序列化令牌状态：{ $category ->
        [io] I/O 错误
        [syntax] 语法错误
        [data] 字段多余或缺失
       *[eof] 内容被截断
    }
store-state-not-json = 令牌状态无效（不是 UTF-8 文本的 JSON 对象）
    .hint = 请重新登录（`broker login`）来替换它
store-state-invalid = 令牌状态无效（第 { $line } 行第 { $column } 列{ $category ->
        [io] 有 I/O 错误
        [syntax] 有语法错误
        [data] 字段多余或缺失
       *[eof] 内容被截断
    }）
    .hint = 请重新登录（`broker login`）来替换它
store-state-too-new = 令牌状态的版本是 { $version }，比本版 broker 能理解的（{ $supported }）更新
    .hint = 请升级 broker；这个状态是由更新的版本写入的
store-cannot-save = 无法保存配置 `{ $profile }` 的状态：{ $cause }
    .hint = broker 必须能写入 `{ $dir }`（或设置 `BROKER_STATE_DIR`）
store-state-changed = 本进程持有锁期间，配置 `{ $profile }` 的状态被改动了；没有保存任何内容
    .hint = 有程序绕过锁删除或写入了它；请重试
store-lock-timed-out = 等待配置 `{ $profile }` 的锁超时，锁由另一个 broker 进程持有{ $holder ->
        [running] （pid { $pid }）
        [stopped] （pid { $pid }，已暂停）
       *[none] {""}
    }
    .hint = { $holder ->
        [stopped] pid { $pid } 已暂停（按了 Ctrl-Z？）：请恢复它（`fg` 或 `kill -CONT { $pid }`）或结束它，然后重试
       *[other] 另一个 broker 正在轮换这个配置；请重试，或查看是谁持有 `{ $path }`
    }
store-lock-file-timed-out = 等待锁 `{ $path }` 超时，锁由另一个进程持有

## 提示输入。

store-no-terminal = { $needed ->
        [passphrase] 需要口令
       *[secret-key] 需要 Secret Key
    }，但没有终端可以询问
    .hint = { $needed ->
        [passphrase] 请设置 `BROKER_AGE_PASSPHRASE`，或在终端中运行 `broker init --passphrase`
       *[secret-key] 请通过标准输入传入：`printf %s "$SK" | broker …`
    }
store-cannot-read-secret-from-stdin = 无法从标准输入读取 Secret Key：{ $reason }
store-cannot-read-secret = 无法读取 Secret Key：{ $reason }
store-empty-secret = Secret Key 为空
    .hint = 请通过标准输入传入，或在提示时输入
store-secret-not-one-line = Secret Key 含有换行符或 NUL
    .hint = 请在标准输入中只给一行
store-cannot-read-answer = 无法读取回答：{ $reason }
# `init`：“身份 … 不存在，但有 1 个密钥和 2 个令牌文件是加密给 … 的”。
store-identity-cannot-read = 身份 { $identity } { $lost ->
        [true] 不存在，但有
       *[false] 不在配置文件的接收方中，而有
    }{ $tokens ->
        [0] { $secrets } 个密钥
       *[other] { $secrets ->
            [0] {""}
           *[other] { $secrets } 个密钥和{" "}
        }{ $tokens } 个令牌文件
    }{ $lost ->
        [true] 是加密给配置文件中的接收方的：新身份无法读取它们
       *[false] 是加密给那些接收方的：它无法读取它们
    }
    .hint = { $lost ->
        [true] 请从备份恢复身份文件（这样什么都不会丢失）；如果确实找不回了，`broker init --force` 会新建一个身份，然后对每个配置运行 `broker secret set NAME` 和 `broker login NAME`
       *[false] 请使用加密时对应的身份（恢复它，或让 `BROKER_AGE_KEY_FILE` 指向它）；如果它已丢失，`broker init --force` 会加入当前身份，然后对每个配置运行 `broker secret set NAME` 和 `broker login NAME`
    }

# 集群共享存储（src/store/redis/errors.rs）和移交（src/commands/state.rs）。

store-unknown-backend = `{ $config }` 中的 `[store] backend = "{ $name }"` 未知
    .hint = 请使用 `file`（默认）或 `redis`
store-redis-no-url = `{ $config }` 中的 `[store] backend = "redis"` 需要 `url`（或 `BROKER_REDIS_URL`）
    .hint = 例如 `url = "redis://127.0.0.1:6379/0"`；密码请放在 `BROKER_REDIS_URL` 中，不要写进文件
store-redis-bad-url = `{ $from }` 中的 Redis URL 无效：{ $why ->
        [scheme] 协议必须是 `redis://` 或 `rediss://`（TLS）
        [no-host] 没有主机名
        [client] Redis 客户端无法使用它
       *[other] 不是 URL
    }
    .hint = 格式为 `redis://[USER:PASSWORD@]HOST[:PORT][/DB]`，TLS 则为 `rediss://…`
store-redis-bad-prefix = `{ $config }` 中的 `[store] prefix = "{ $prefix }"` 无效
    .hint = 前缀为 1 到 64 个字母、数字、`-`、`_` 或 `.`
store-redis-unreachable = 位于 `{ $url }` 的 Redis 存储无法连接或拒绝了请求：{ $detail }
    .hint = 请检查 Redis 是否在运行，以及 `[store] url`（或 `BROKER_REDIS_URL`）；未到期的缓存令牌仍然可用，但没有 Redis 就不会轮换
store-redis-foreign = 位于 `{ $url }` 的 Redis 存储在 `{ $key }` 处有不是 broker 写入的内容
    .hint = 请为 broker 使用一个专用的 `[store] prefix`
store-redis-changed = 本进程持有租约期间，配置 `{ $profile }` 在 Redis 中的状态被改动了；没有保存任何内容
    .hint = 另一台机器写入了它（本租约可能已过期）；请重试
store-lease-timeout = { $known ->
        [true] 等待配置 `{ $profile }` 的锁超时，锁由另一个 broker 进程持有（{ $holder }）
       *[false] 等待配置 `{ $profile }` 的锁超时，锁由另一个 broker 进程持有
    }
    .hint = 另一台机器正在轮换这个配置；请重试（持有者若已退出，租约到期后会自动释放）
store-handed-off = 配置 `{ $profile }` 已于 { $at } 移交给 { $to }（`broker state export`）：它不再在这里轮换，而且令牌已到期
    .hint = 请在移交的目标处使用它；或在这里导入更新的状态包（`broker state import`），或用 `broker login { $profile }` 开始新的令牌链
store-already-handed-off = 配置 `{ $profile }` 已于 { $at } 移交给 { $to }：这里没有可导出的令牌链
    .hint = 请在移交的目标处导出
store-nothing-to-export = { $all ->
        [true] 没有任何配置有可导出的状态
       *[false] 配置 `{ $profile }` 没有可导出的状态
    }
    .hint = `broker status` 会显示已保存的内容；配置在 `broker login` 时获得状态
store-not-a-bundle = 输入的不是本 broker 的状态包
    .hint = 先用 `broker state export … > bundle.age` 生成，再运行 `broker state import < bundle.age`
store-cannot-read-bundle = 无法从标准输入读取状态包：{ $reason }
store-bundle-grant = 状态包中 `{ $profile }` 的状态属于授权方式 `{ $bundle }`，但这里的配置是 `{ $config }`
store-bundle-older = 状态包中 `{ $profile }` 的状态（获取于 { $bundle }）比这里保存的（获取于 { $stored }）更旧；没有导入任何内容
    .hint = 加 `--force` 仍会替换（已保存的令牌链随之丢失）
store-watch-needs-redis = `broker watch` 跟踪共享存储上的轮换，但 `[store] backend` 是 `file`
    .hint = 请设置 `[store] backend = "redis"`（见 docs/fleet.md）
