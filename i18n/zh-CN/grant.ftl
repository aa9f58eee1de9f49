# 授权错误：src/grant/error.rs。

grant-not-logged-in = 配置 `{ $profile }` 尚未登录
    .hint = { hint-login }

## 百度的回答：`$baidu_code`、`$description`（当 `$described` 时，原样显示）、`$status`。

grant-secret-key-rejected = 百度拒绝了 `{ $profile }` 的 Secret Key：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请核对后运行 `broker secret set { $profile }`
grant-app-key-unknown = 百度不认识 `{ $profile }` 的 API Key：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请检查配置文件中的 `app_key`
grant-grant-not-allowed = 百度不允许 `{ $profile }` 的应用使用这种授权方式：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
grant-access-key-rejected = 百度 IAM 拒绝了 `{ $profile }` 的 Access Key：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请检查配置文件中的 `app_key`（即 Access Key）
grant-signature-rejected = 百度 IAM 拒绝了 `{ $profile }` 的签名：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 很可能是 Secret Key 不对：`broker secret set { $profile }`
grant-request-expired = 百度 IAM 认为 `{ $profile }` 的请求已过期：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请检查本机时钟
grant-signature-header-refused = 百度 IAM 拒绝了签名请求头：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
grant-authorization-refused = 百度拒绝了 `{ $profile }` 的授权：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = { hint-login }
grant-scope-refused = 百度拒绝了 `{ $profile }` 的权限范围（scope）：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请求的 scope 不能超出登录时授予的范围
grant-redirect-uri-refused = 百度拒绝了回调地址：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 必须与应用登记的回调地址一致；或改用 `--device` 或 `--code`
grant-grant-type-unsupported = 百度不支持 broker 发送的授权方式：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
grant-throttled = `{ $profile }` 多次失败后被百度限流：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请等一段时间再试；broker 不会为此反复重试
grant-server-error = 百度对 `{ $profile }` 返回了 HTTP { $status }：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
grant-unexpected-error = 百度对 `{ $profile }` 返回了意外的错误（HTTP { $status }）：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
grant-device-code-refused = `{ $profile }` 的设备码已过期或被拒绝：`{ $baidu_code }`{ $described ->
        [true] （{ $description }）
       *[false] {""}
    }
    .hint = 请重新运行 `broker login { $profile }`
grant-authorization-declined = `{ $profile }` 的授权被拒绝了
    .hint = 请重新运行 `broker login { $profile }` 并同意授权

## 百度没能回答的原因。`$request` 是哪个请求，`$profile` 是哪个配置。

grant-http-client = 无法创建 HTTP 客户端：{ $reason }
grant-out-of-time = 放弃了 `{ $profile }` 的{ $request ->
        [refresh] 刷新
        [device-poll] 设备码轮询
        [code-exchange] 授权码换取令牌
        [client-credentials] client_credentials 请求
        [device-code] 设备码请求
        [sts-token] STS 临时凭证请求
       *[bce-token] BCE 持有者令牌请求
    }：时限已用完
    .hint = 请调大 `--timeout` 或配置文件中的 `timeout`，或检查网络
grant-answer-too-large = `{ $profile }` 的{ $request ->
        [refresh] 刷新
        [device-poll] 设备码轮询
        [code-exchange] 授权码换取令牌
        [client-credentials] client_credentials 请求
        [device-code] 设备码请求
        [sts-token] STS 临时凭证请求
       *[bce-token] BCE 持有者令牌请求
    }：回答超过了 { $limit } 字节
grant-request-failed = `{ $profile }` 的{ $request ->
        [refresh] 刷新
        [device-poll] 设备码轮询
        [code-exchange] 授权码换取令牌
        [client-credentials] client_credentials 请求
        [device-code] 设备码请求
        [sts-token] STS 临时凭证请求
       *[bce-token] BCE 持有者令牌请求
    }失败：{ $failure ->
        [timed-out] 超时（{ $url }）
        [refused] 连接被拒绝（{ $url }）
        [cannot-connect] 无法连接（{ $url }）
        [broke] 连接中断（{ $url }）
        [broke-off] 回答中途断开：{ $reason }
       *[deadline] 超时
    }
grant-server-status = 百度对 `{ $profile }` 返回了 HTTP { $status }
grant-not-a-token = { $issuer ->
        [bce] BCE IAM
        [sts] BCE STS
       *[baidu] 百度
    }对 `{ $profile }` 的回答不是令牌（HTTP { $status }）：{ $why ->
        [unexpected-status] 状态码不符合预期
        [not-an-object] 不是 JSON 对象
        [unexpected-json] 不是预期的 JSON
       *[no-usable] 没有可用的 { $field }
    }
grant-device-code-unusable = 百度为 `{ $profile }` 返回的设备码不可用

## 配置的设置，按授权方式读取。

grant-invalid-endpoint = 端点无效：{ $reason }
grant-endpoint-without-host = 端点 `{ $endpoint }` 没有主机名
grant-secret-env-unset = `{ $var }` 未设置（它是 `{ $profile }` 的 Secret Key）
    .hint = 请导出 `{ $var }`，或用 `broker secret set { $profile }` 保存 Secret Key
grant-secret-plaintext = `{ $profile }` 的 Secret Key 是明文
    .hint = 请运行 `broker secret encrypt`
grant-no-secret = 配置 `{ $profile }` 没有 Secret Key
    .hint = 请用 `broker secret set { $profile }` 设置
grant-not-renewable = `{ $grant }` 令牌不能用刷新令牌续期
grant-fetch-needs-login = netdisk 令牌需要刷新令牌或重新登录

## 登录（netdisk）。

grant-device-login-needs-terminal = `{ $profile }` 需要有人批准设备登录，但没有终端可以询问
    .hint = 请在工作站上登录；docs/ci.md 介绍了如何把 netdisk 配置交给 CI 使用
grant-device-code-expired = `{ $profile }` 的设备码在批准之前就过期了
    .hint = 请重新运行 `broker login { $profile }`
grant-code-needs-terminal = 需要授权码，但没有终端可以询问
    .hint = 请用 `--code -` 从标准输入传入
grant-malformed-code = 授权码为空或格式不对
grant-cannot-read-code = 无法读取授权码：{ $reason }
grant-loopback = { $step ->
        [listen] 无法在 127.0.0.1 上监听：{ $reason }
        [accept] 本地回环监听失败：{ $reason }
       *[other] { $reason }
    }
grant-browser-timeout = 没有人及时在浏览器中完成授权
    .hint = 请改用 `broker login --device`
grant-state-mismatch = 回调中的 `state` 不匹配：已拒绝该回答（可能是伪造的）
grant-declined = 授权被拒绝（`{ $reason }`）
grant-no-code-in-redirect = 回调中没有授权码或 state

## 轮换。

grant-lock-lost = 在发送刷新令牌之前失去了配置 `{ $profile }` 的锁；刷新令牌没有发送
    .hint = 请重试
grant-min-ttl-unmet = `{ $profile }` 无法满足 `--min-ttl { $min_ttl }`：它的新令牌有效期只有 { $life }
    .hint = 最多只能要求 { $life }
grant-needs-login = 配置 `{ $profile }` 自 { $since } 起需要重新登录：{ $reason }
grant-refresh-interrupted = 于 { $started_at }{ $by_command ->
        [true] {" "}由 `{ $command }`
       *[false] {""}
    }（pid { $pid }）开始的刷新在保存回答之前被中断了（{ $ended ->
        [true] 它的结果是：{ $outcome }
       *[false] 进程在保存任何内容之前就结束了
    }）{ $attempts ->
        [0] {""}
        [1] {""}
       *[other] ；刷新令牌已提交了 { $attempts } 次
    }
grant-rejected-loop = `{ $profile }` 的新令牌一签发就被拒绝，已连续两次；broker 停止轮换它们
    .hint = 请确认调用方所用的 API 在该配置的授权方式和 scope 允许范围内；`broker refresh { $profile } --force` 可手动轮换

## 插件（`grant = "plugin:NAME"`）。

grant-plugin-not-found = `{ $profile }` 的插件 `{ $plugin }` 不在 PATH 中
    .hint = 请把它安装到 PATH 中的某个目录，或检查配置中的 `grant`
grant-plugin-failed = `{ $plugin }` 没有为 `{ $profile }` 给出可用的回答：{ $why ->
        [cannot-run] 无法运行（{ $detail }）
        [timed-out] 未在 { $detail } 内回答
        [exited] 已结束（{ $detail }），没有给出 JSON 回答
        [too-large] 回答超过了 { $detail }
        [version] 它使用协议版本 { $detail }，broker 使用版本 1
        [unknown-kind] 错误类型 `{ $detail }` 不是 `credentials`、`login` 或 `network`
        [no-usable] 没有可用的 `{ $detail }`
       *[garbage] 回答不是 JSON 对象
    }
    .hint = `broker -v` 会显示它在 stderr 上输出的内容
grant-plugin-refused = `{ $plugin }` 拒绝了 `{ $profile }`（{ $refused }）：{ $said }
